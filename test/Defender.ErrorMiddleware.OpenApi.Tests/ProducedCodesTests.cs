using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Defender.ErrorMiddleware.OpenApi.Tests;

/// <summary>What the server really answers is what its documents promise.</summary>
public sealed class ProducedCodesTests
{
    [Theory]
    [InlineData("/api/alerts/abc", "/api/alerts/{id}", 404, "NotFound")]
    [InlineData("/api/files", "/api/files", 404, "NotFound")]
    [InlineData("/api/machines?top=abc", "/api/machines", 400, "InvalidInput")]
    [InlineData("/api/machines", "/api/machines", 400, "MissingRequiredParameter")]
    public async Task Response_CarriesACodeItsOperationDocuments(string url, string operationPath, int status, string code)
    {
        await using var app = await TestApi.StartAsync();
        using var client = app.GetTestClient();
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, body["error"]!["code"]!.GetValue<string>());
        foreach (var path in new[] { TestApi.OpenApiPath, TestApi.SwaggerPath })
        {
            var codes = Documents.ErrorCodes(await Documents.GetAsync(app, path), operationPath, "get");
            Assert.Contains(code, codes[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }
}
