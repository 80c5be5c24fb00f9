using System.Text.Json.Nodes;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// The success side of both OpenAPI documents (Microsoft.AspNetCore.OpenApi at /openapi/v1.json, Swashbuckle at
/// /swagger/v1/swagger.json): every request body and every 2xx response has a schema that says something, and the two
/// documents give each operation the same schemas — names in the wire casing, <c>required</c>, nullability, formats.
/// </summary>
public sealed class OpenApiSchemaTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private const string OpenApiPath = "/openapi/v1.json";
    private const string SwaggerPath = "/swagger/v1/swagger.json";

    [Theory]
    [InlineData(OpenApiPath)]
    [InlineData(SwaggerPath)]
    public async Task OpenApiDocument_DescribesEveryBodyAndSuccessResponse_WithASchemaThatSaysSomething(string path)
    {
        var document = await GetAsync(path);
        var bodies = 0;
        foreach (var (operation, kind, schema) in SuccessSchemas(document))
        {
            Assert.True(SaysSomething(document, schema, []), $"{path} {operation} {kind}: {schema.ToJsonString()}");
            bodies++;
        }

        // Eleven request bodies (eight machine actions, cancel, indicator, import) and eighteen 2xx responses with content
        // (DELETE answers 204 without one; the live response result download is a file).
        Assert.Equal(29, bodies);
    }

    [Fact]
    public async Task OpenApiDocuments_AgreeOnEveryBodyAndSuccessSchema()
    {
        var openApi = await GetAsync(OpenApiPath);
        var swagger = await GetAsync(SwaggerPath);
        var left = SuccessSchemas(openApi).ToDictionary(s => s.Operation + " " + s.Kind, s => Normalize(openApi, s.Schema, []));
        var right = SuccessSchemas(swagger).ToDictionary(s => s.Operation + " " + s.Kind, s => Normalize(swagger, s.Schema, []));

        Assert.Equal(left.Keys.Order(StringComparer.Ordinal), right.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, schema) in left)
        {
            Assert.True(JsonNode.DeepEquals(schema, right[key]), $"{key}\nopenapi: {schema.ToJsonString()}\nswagger: {right[key].ToJsonString()}");
        }
    }

    [Fact]
    public async Task OpenApiDocuments_DescribeTheCaseSensitiveRequestMembers_AsTheBinderEnforcesThem()
    {
        foreach (var path in new[] { OpenApiPath, SwaggerPath })
        {
            var document = await GetAsync(path);
            var isolate = Normalize(document, Body(document, "/api/machines/{id}/isolate"), []);
            Assert.True(JsonNode.DeepEquals(
                JsonNode.Parse("""
                    {"type":["object"],"required":["Comment"],"properties":{"Comment":{"type":["string"]},"IsolationType":{"type":["null","string"]}}}
                    """),
                isolate), $"{path}: {isolate.ToJsonString()}");

            var import = Normalize(document, Body(document, "/api/indicators/import"), []);
            Assert.Equal("""["Indicators"]""", import["required"]!.ToJsonString());
            Assert.Equal("""["array"]""", import["properties"]!["Indicators"]!["type"]!.ToJsonString());
        }
    }

    private async Task<JsonObject> GetAsync(string path) =>
        JsonNode.Parse(await factory.CreateClient(token: null).GetStringAsync(path))!.AsObject();

    private static JsonNode Body(JsonObject document, string path) =>
        document["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;

    /// <summary>Each operation's JSON request body and 2xx response schemas ("post /api/x", "body" or "200").</summary>
    private static IEnumerable<(string Operation, string Kind, JsonNode Schema)> SuccessSchemas(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method == "parameters")
                {
                    continue;
                }

                var name = method + " " + path;
                if (operation!["requestBody"] is { } body)
                {
                    foreach (var (_, media) in body["content"]!.AsObject())
                    {
                        yield return (name, "body", media!["schema"]!);
                    }
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    if (status[0] == '2' && response!["content"] is JsonObject content)
                    {
                        foreach (var (_, media) in content)
                        {
                            yield return (name, status, media!["schema"]!);
                        }
                    }
                }
            }
        }
    }

    /// <summary>A schema says something when it (or what it refers to) has a type, properties, items or choices — all the way down.</summary>
    private static bool SaysSomething(JsonObject document, JsonNode schema, HashSet<string> seen)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return !seen.Add(reference) || SaysSomething(document, Resolve(document, reference), seen);
        }

        if (schema["properties"] is JsonObject properties)
        {
            return properties.Count > 0 && properties.All(p => SaysSomething(document, p.Value!, seen));
        }

        if (schema["items"] is { } items)
        {
            return SaysSomething(document, items, seen);
        }

        return schema["enum"] is not null || schema["oneOf"] is not null || schema["anyOf"] is not null || schema["allOf"] is not null
            || schema["type"] is JsonValue or JsonArray && schema["type"]!.ToJsonString() is not "\"object\"" and not "[\"object\"]";
    }

    /// <summary>
    /// The schema with every reference inlined and only what a client's types depend on: type (nullability as a
    /// <c>null</c> type, for OpenAPI 3.0's <c>nullable</c> and 3.1's type arrays alike), format, enum, required,
    /// properties, items. Two things each generator says its own way are left out on purpose, by name:
    /// Swashbuckle closes every object (<c>additionalProperties: false</c>) whatever the binder does, and
    /// Microsoft.AspNetCore.OpenApi adds the string form of numbers that the web defaults' <c>AllowReadingFromString</c> reads.
    /// </summary>
    private static JsonObject Normalize(JsonObject document, JsonNode schema, HashSet<string> inlining)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            if (!inlining.Add(reference))
            {
                return new JsonObject { ["cycle"] = reference[(reference.LastIndexOf('/') + 1)..] };
            }

            var inlined = Normalize(document, Resolve(document, reference), inlining);
            inlining.Remove(reference);
            return inlined;
        }

        // A nullable reference: Microsoft.AspNetCore.OpenApi writes oneOf [null, $ref]; Swashbuckle's OpenAPI 3.0 cannot mark a
        // $ref nullable and writes the $ref alone. Both describe the same object.
        if (schema["oneOf"] is JsonArray { Count: 2 } choices
            && choices.SingleOrDefault(c => c?["type"]?.ToJsonString() == "\"null\"") is { } nullChoice
            && choices.Single(c => c != nullChoice) is { } other && other["$ref"] is not null)
        {
            return Normalize(document, other, inlining);
        }

        var result = new JsonObject();
        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        if (schema["nullable"]?.GetValue<bool>() == true)
        {
            types.Add("null");
        }

        if (types.Contains("integer") || types.Contains("number"))
        {
            types.Remove("string");
        }

        if (types.Count > 0)
        {
            result["type"] = new JsonArray([.. types.Distinct().Order(StringComparer.Ordinal).Select(t => JsonValue.Create(t))]);
        }

        foreach (var key in new[] { "format", "enum" })
        {
            if (schema[key] is { } value)
            {
                result[key] = value.DeepClone();
            }
        }

        if (schema["required"] is JsonArray required)
        {
            result["required"] = new JsonArray([.. required.Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal).Select(r => JsonValue.Create(r))]);
        }

        if (schema["properties"] is JsonObject properties)
        {
            var normalized = new JsonObject();
            foreach (var (name, property) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                normalized[name] = Normalize(document, property!, inlining);
            }

            result["properties"] = normalized;
        }

        if (schema["items"] is { } items)
        {
            result["items"] = Normalize(document, items, inlining);
        }

        return result;
    }

    private static JsonNode Resolve(JsonObject document, string reference) =>
        document["components"]!["schemas"]![reference[(reference.LastIndexOf('/') + 1)..]]!;
}
