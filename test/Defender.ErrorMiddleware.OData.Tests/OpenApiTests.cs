using System.Text.Json;
using System.Text.Json.Nodes;
using Defender.ErrorMiddleware.OData.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Defender.ErrorMiddleware.OData.Tests;

/// <summary>
/// Both OpenAPI documents (Microsoft.AspNetCore.OpenApi and Swashbuckle) describe every usage's OData query options with
/// their limits and the 400 ODataError response, and show nothing of the library's types.
/// </summary>
public sealed class OpenApiTests
{
    private static readonly string[] QueryOptions = ["$filter", "$orderby", "$top", "$skip", "$select", "$count", "$expand"];

    private static readonly string[] FrameworkTypes =
        ["ClaimsPrincipal", "Assembly", "Edm", "ODataQueryOptions", "HttpContext", "HttpRequest", "ODataQueryContext", "SelectExpand", "Module", "MethodBase", "Stream", "Expression"];

    public static TheoryData<string> Documents() => ["/openapi/v1.json", "/swagger/v1/swagger.json"];

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task EveryODataOperation_DocumentsTheQueryOptionsAndODataError(string document)
    {
        var root = await ReadDocumentAsync(document);

        foreach (var path in (string[])[ODataTestApp.MinimalResult, ODataTestApp.MinimalApplyTo, ODataTestApp.MinimalFilter, ODataTestApp.MinimalDefenderFilter,
            ODataTestApp.MvcEnableQuery, ODataTestApp.MvcQueryOptions, ODataTestApp.MvcResult, ODataTestApp.ODataRouted])
        {
            var operation = root["paths"]?[path]?["get"] ?? throw new Xunit.Sdk.XunitException($"{document} has no GET {path}");
            var parameters = operation["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToArray();
            Assert.True(QueryOptions.SequenceEqual(parameters), $"{document} {path}: {string.Join(",", parameters)}");
            var top = operation["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "$top")!;
            Assert.Equal(10_000, top["schema"]!["maximum"]!.GetValue<int>());
            Assert.Equal("query", top["in"]!.GetValue<string>());
            var badRequest = operation["responses"]?["400"]?.ToJsonString() ?? "";
            Assert.Contains("ODataError", badRequest, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Documents_ShowNoFrameworkTypes_AndNotTheMetadataEndpoints(string document)
    {
        var root = await ReadDocumentAsync(document);

        var schemas = root["components"]?["schemas"]?.AsObject().Select(s => s.Key).ToArray() ?? [];
        foreach (var schema in schemas)
        {
            Assert.DoesNotContain(FrameworkTypes, t => schema.Contains(t, StringComparison.Ordinal));
        }

        // A key lookup's SingleResult<Machine> is written as a Machine, and documented so.
        var lookup = root["paths"]!["/odata/Machines({key})"]!["get"]!["responses"]!["200"]!.ToJsonString();
        Assert.Contains("\"$ref\":\"#/components/schemas/Machine\"", lookup, StringComparison.Ordinal);
        Assert.DoesNotContain(schemas, s => s.Contains("SingleResult", StringComparison.Ordinal));

        var paths = root["paths"]!.AsObject().Select(p => p.Key).ToArray();
        Assert.DoesNotContain(paths, p => p.Contains("$metadata", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p == "/odata" || p == "/odata/");
    }

    private static async Task<JsonNode> ReadDocumentAsync(string document)
    {
        await using var app = await ODataTestApp.StartAsync(
            configureServices: services =>
            {
                services.AddOpenApi(o => o.AddDefenderErrors());
                services.AddSwaggerGen(o =>
                {
                    o.AddDefenderErrors();
                    o.SwaggerDoc("v1", new OpenApiInfo { Title = "OData", Version = "v1" });
                });
            },
            configureEndpoints: app =>
            {
                app.MapOpenApi();
                app.UseSwagger();
            });
        var response = await app.Client.GetAsync(document);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body) ?? throw new JsonException("empty document");
    }
}
