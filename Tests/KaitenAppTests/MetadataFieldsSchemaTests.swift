import Foundation
import KaitenCore
import Testing

@testable import KaitenMetadataFields

/// The JSON Schema 2020-12 subset metadata fields are written in: what a schema document may say, and what
/// each keyword accepts.
@Suite struct MetadataFieldsSchemaTests {
    private func schema(_ document: [String: JSONValue]) throws -> JSONSchema {
        try JSONSchema.compile(document, location: "body.jsonSchema")
    }

    private func refusal(_ document: [String: JSONValue]) throws -> APIError {
        do {
            _ = try JSONSchema.compile(document, location: "body.jsonSchema")
        } catch let error as APIError {
            return error
        }
        Issue.record("expected \(JSONValue.object(document).jsonText) to be refused")
        return APIError.notFound("none", "none")
    }

    // MARK: Schema documents

    @Test func documentsOutsideTheMetaSchemaAreRefusedWithEveryLocation() throws {
        let error = try refusal([
            "type": "text",
            "minLength": -1,
            "pattern": "([a-z",
            "properties": ["city": ["maxLength": "ten"]],
            "anyOf": [],
            "required": ["a", "a"],
        ])
        #expect(error.status == 422)
        #expect(error.code == "MetadataField.SchemaShape.Invalid")
        #expect(
            Set(error.errors.map(\.location)) == [
                "body.jsonSchema.type", "body.jsonSchema.minLength", "body.jsonSchema.pattern",
                "body.jsonSchema.properties.city.maxLength", "body.jsonSchema.anyOf", "body.jsonSchema.required",
            ]
        )
    }

    @Test func anArraySchemaMustSayWhatItsItemsAre() throws {
        let error = try refusal(["type": "object", "properties": ["tags": ["type": "array"]]])
        #expect(error.code == "MetadataField.SchemaShape.ArrayMissingItems")
        #expect(error.errors.map(\.location) == ["body.jsonSchema.properties.tags"])
        _ = try schema(["type": "array", "items": ["type": "string"]])
    }

    @Test func onlyDraft2020IsSpokenAndReferencesAreRefusedNotIgnored() throws {
        #expect(try refusal(["$schema": "http://json-schema.org/draft-07/schema#"]).errors.map(\.location) == ["body.jsonSchema.$schema"])
        _ = try schema(["$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"])
        #expect(try refusal(["$ref": "#/$defs/x", "$defs": ["x": true]]).errors.map(\.location) == ["body.jsonSchema.$ref"])
        #expect(try refusal(["type": "object", "unevaluatedProperties": false]).code == "MetadataField.SchemaShape.Invalid")
        #expect(try refusal(["items": [["type": "string"]]]).errors.map(\.location) == ["body.jsonSchema.items"])
        // Unknown keywords are annotations, as the specification says.
        _ = try schema(["type": "string", "x-console-widget": "select", "title": "Region"])
    }

    @Test func typesAcceptTheirJSONValues() throws {
        let integer = try schema(["type": "integer"])
        #expect(integer.accepts(3) && integer.accepts(3.0) && !integer.accepts(3.5) && !integer.accepts("3"))
        let number = try schema(["type": "number"])
        #expect(number.accepts(3) && number.accepts(3.5) && !number.accepts(true))
        let nullableString = try schema(["type": ["string", "null"]])
        #expect(nullableString.accepts("eu") && nullableString.accepts(.null) && !nullableString.accepts(1))
        #expect(nullableString.violations(of: 1) == [SchemaViolation(path: "", message: "expected null or string, got number")])
    }

    @Test func enumAndConstCompareNumbersByValue() throws {
        let region = try schema(["type": "string", "enum": ["eu", "us"]])
        #expect(region.accepts("eu") && !region.accepts("apac"))
        #expect(region.violations(of: "apac").map(\.message) == ["expected one of [\"eu\", \"us\"]"])
        let one = try schema(["const": 1])
        #expect(one.accepts(1.0) && !one.accepts(2))
        let objects = try schema(["enum": [["a": 1, "b": [true]]]])
        #expect(objects.accepts(["b": [true], "a": 1.0]))
    }

    @Test func stringBoundsCountCodePoints() throws {
        let code = try schema(["type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-zé]+$"])
        #expect(code.accepts("éé") && code.accepts("abc"))
        #expect(!code.accepts("a") && !code.accepts("abcd") && !code.accepts("AB"))
        #expect(code.violations(of: "AB").map(\.message) == ["expected string to match pattern ^[a-zé]+$"])
        // `pattern` is not anchored.
        let digit = try schema(["pattern": "\\d"])
        #expect(digit.accepts("room 7"))
    }

    @Test(arguments: [
        ("date-time", "2026-05-26T12:00:00Z", true),
        ("date-time", "2026-05-26t12:00:00.123456+02:00", true),
        ("date-time", "2016-12-31T23:59:60Z", true),
        ("date-time", "2016-12-31T22:59:60Z", false),
        ("date-time", "2026-05-26 12:00:00Z", false),
        ("date-time", "2026-02-30T12:00:00Z", false),
        ("date-time", "2026-05-26T12:00:00", false),
        ("date", "2024-02-29", true),
        ("date", "2023-02-29", false),
        ("date", "2026-5-26", false),
        ("email", "ops@acme.example", true),
        ("email", "first.last+tag@sub.acme.example", true),
        ("email", "\"john doe\"@acme.example", true),
        ("email", "ops@[192.168.0.1]", true),
        ("email", "ops.@acme.example", false),
        ("email", "ops@-acme.example", false),
        ("email", "acme.example", false),
        ("uri", "https://acme.example:8443/path?q=1#top", true),
        ("uri", "urn:isbn:0451450523", true),
        ("uri", "/relative/path", false),
        ("uri", "https://acme.example/a b", false),
        ("uri", "https://acme.example/%zz", false),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", true),
        ("uuid", "123e4567e89b12d3a456426614174000", false),
        ("ipv6", "::ffff:192.0.2.1", true),
        ("ipv6", "1::2::3", false),
        ("ipv4", "192.168.0.256", false),
        ("hostname", "eu-west-1.acme.example", true),
        ("uuid", "not-a-uuid", false),
    ])
    func formatsAreAsserted(format: String, value: String, valid: Bool) throws {
        let field = try schema(["type": "string", "format": .string(format)])
        #expect(field.accepts(.string(value)) == valid)
    }

    @Test func unknownFormatsStayAnnotations() throws {
        let semver = try schema(["format": "semver"])
        #expect(semver.accepts("anything"))
    }

    @Test func numberBoundsAndMultiples() throws {
        let percent = try schema(["type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.1])
        #expect(percent.accepts(0) && percent.accepts(100) && percent.accepts(0.3) && percent.accepts(12.7))
        #expect(!percent.accepts(-1) && !percent.accepts(100.5) && !percent.accepts(0.15))
        let exclusive = try schema(["exclusiveMinimum": 0, "exclusiveMaximum": 10])
        #expect(!exclusive.accepts(0) && exclusive.accepts(5) && !exclusive.accepts(10))
        let triple = try schema(["multipleOf": 3])
        #expect(triple.accepts(9) && !triple.accepts(10))
        #expect(try refusal(["multipleOf": 0]).errors.map(\.location) == ["body.jsonSchema.multipleOf"])
    }

    @Test func arrayKeywordsReportItemPaths() throws {
        let tags = try schema([
            "type": "array", "items": ["type": "string", "enum": ["a", "b", "c"]], "minItems": 1, "maxItems": 3, "uniqueItems": true,
        ])
        #expect(tags.accepts(["a", "b"]))
        #expect(!tags.accepts([]) && !tags.accepts(["a", "b", "c", "a"]))
        #expect(tags.violations(of: ["a", "z", "a"]).map(\.path) == ["", "[1]"])
        let pair = try schema(["prefixItems": [["type": "string"], ["type": "integer"]], "items": false])
        #expect(pair.accepts(["eu", 3]) && !pair.accepts(["eu", 3, 4]) && !pair.accepts([3, "eu"]))
        let someAdmin = try schema(["contains": ["const": "admin"], "maxContains": 1])
        #expect(someAdmin.accepts(["user", "admin"]) && !someAdmin.accepts(["user"]) && !someAdmin.accepts(["admin", "admin"]))
    }

    @Test func objectKeywords() throws {
        let address = try schema([
            "type": "object",
            "properties": ["city": ["type": "string"], "zip": ["type": "string", "pattern": "^[0-9]{5}$"]],
            "required": ["city"],
            "additionalProperties": false,
            "dependentRequired": ["zip": ["city"]],
        ])
        #expect(address.accepts(["city": "Lyon", "zip": "69001"]))
        #expect(address.violations(of: ["zip": "6900", "country": "FR"]).map(\.path).sorted() == [".city", ".city", ".country", ".zip"])
        let labels = try schema(["patternProperties": ["^x-": ["type": "string"]], "propertyNames": ["maxLength": 5], "maxProperties": 2])
        #expect(labels.accepts(["x-a": "1", "b": 2]) && !labels.accepts(["x-a": 1]) && !labels.accepts(["toolong": 1]))
        #expect(!labels.accepts(["a": 1, "b": 2, "c": 3]))
    }

    @Test func combinators() throws {
        let idOrName = try schema(["anyOf": [["type": "integer"], ["type": "string", "minLength": 1]]])
        #expect(idOrName.accepts(3) && idOrName.accepts("x") && !idOrName.accepts("") && !idOrName.accepts(true))
        let exactlyOne = try schema(["oneOf": [["type": "integer"], ["type": "number"]]])
        #expect(exactlyOne.accepts(1.5) && !exactlyOne.accepts(1))
        let notEmpty = try schema(["not": ["const": ""]])
        #expect(notEmpty.accepts("x") && !notEmpty.accepts(""))
        let both = try schema(["allOf": [["minimum": 1], ["maximum": 2]]])
        #expect(both.accepts(1.5) && !both.accepts(3))
        let conditional = try schema(["if": ["const": "eu"], "then": ["minLength": 2], "else": ["const": "us"]])
        #expect(conditional.accepts("eu") && conditional.accepts("us") && !conditional.accepts("apac"))
        let nothing = try schema(["not": true])
        #expect(nothing.violations(of: 1).count == 1)
    }

    // MARK: Transitions

    @Test func transitionsThatChangeWhatStoredValuesMeanAreRefused() throws {
        func code(_ old: [String: JSONValue], _ new: [String: JSONValue]) -> String? {
            do {
                try SchemaTransition.check(from: old, to: new)
                return nil
            } catch let error as APIError {
                return error.code
            } catch {
                return "\(error)"
            }
        }
        #expect(code(["type": "string"], ["type": "number"]) == "SchemaTransition.TypeChanged")
        #expect(code(["type": "string"], ["type": "array", "items": ["type": "string"]]) == "SchemaTransition.TypeChanged")
        #expect(
            code(["type": "array", "items": ["type": "string"]], ["type": "array", "items": ["type": "number"]])
                == "SchemaTransition.CardinalityChanged")
        #expect(code(["type": "string"], ["type": "string", "enum": ["a"]]) == "SchemaTransition.EnumWrapToggled")
        #expect(code(["type": "string", "enum": ["a"]], ["type": "string"]) == "SchemaTransition.EnumWrapToggled")
        #expect(
            code(["type": "array", "items": ["type": "string", "enum": ["a"]]], ["type": "array", "items": ["type": "string"]])
                == "SchemaTransition.EnumWrapToggled"
        )
        #expect(code(["type": "string", "enum": ["a", "b"]], ["type": "string", "enum": ["b", "c"], "title": "Tier"]) == nil)
        #expect(code(["type": "integer"], ["type": "number", "minimum": 0]) == nil)
        #expect(code(["type": "string"], ["type": "string", "format": "date", "maxLength": 10]) == nil)
    }
}
