using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

/// <summary>
/// <c>AddDefenderErrors()</c> puts nothing in the JSON options that hides a body type from the schema exporters: in both
/// documents every request body and 2xx response says what it is, and the body types keep their members, JSON names and
/// <c>required</c> (a converter in the options once left <c>IsolateRequest</c> an empty schema in /openapi/v1.json).
/// </summary>
public sealed class SuccessSchemaTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public async Task InitializeAsync() => _app = await TestApi.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(TestApi.OpenApiPath)]
    [InlineData(TestApi.SwaggerPath)]
    public async Task Document_DescribesEveryBodyAndSuccessResponse_WithASchemaThatSaysSomething(string path)
    {
        var document = await Documents.GetAsync(_app, path);
        var count = 0;
        foreach (var (operation, method, item) in Documents.Operations(document))
        {
            var schemas = (item["requestBody"]?["content"] as JsonObject ?? []).Select(m => ("body", m.Value!["schema"]!))
                .Concat(item["responses"]!.AsObject()
                    .Where(r => r.Key[0] == '2' && r.Value!["content"] is JsonObject)
                    .SelectMany(r => r.Value!["content"]!.AsObject().Select(m => (r.Key, m.Value!["schema"]!))));
            foreach (var (kind, schema) in schemas)
            {
                Assert.True(SaysSomething(document, schema, []), $"{path} {method} {operation} {kind}: {schema.ToJsonString()}");
                count++;
            }
        }

        Assert.True(count >= 20, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(TestApi.OpenApiPath)]
    [InlineData(TestApi.SwaggerPath)]
    public async Task Document_DescribesTheBodyTypesMembers_WithTheirJsonNamesAndRequired(string path)
    {
        var schemas = (await Documents.GetAsync(_app, path))["components"]!["schemas"]!;

        Assert.Equal("""["comment"]""", schemas["IsolateRequest"]!["required"]!.ToJsonString());
        Assert.Equal(["comment", "isolationType"], schemas["IsolateRequest"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("""["indicators"]""", schemas["ImportRequest"]!["required"]!.ToJsonString());
        Assert.Equal(10, schemas["LiveResponseRequest"]!["properties"]!["commands"]!["maxItems"]!.GetValue<int>());
    }

    /// <summary>A schema says something when it (or what it refers to) has a type, properties, items or choices — all the way down.</summary>
    private static bool SaysSomething(JsonObject document, JsonNode schema, HashSet<string> seen)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return !seen.Add(reference) || SaysSomething(document, document["components"]!["schemas"]![reference[(reference.LastIndexOf('/') + 1)..]]!, seen);
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
            || (schema["type"] is JsonValue or JsonArray && schema["type"]!.ToJsonString() is not "\"object\"" and not "[\"object\"]");
    }
}
