using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests;

/// <summary>What surrounds the routes: unknown routes, faults, logging, CORS and the OpenAPI documents.</summary>
public sealed class PlatformTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private readonly HttpClient _admin = factory.CreateClient("dev-admin");

    [Theory]
    [InlineData("/api/nosuch")]
    [InlineData("/nosuch")]
    [InlineData("/api/machines/a/b/c")]
    public async Task UnknownRoute_ReturnsNotFound_WithOrWithoutAToken(string path)
    {
        foreach (var client in new[] { _admin, factory.CreateClient(token: null) })
        {
            var response = await client.GetAsync(path);

            await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
        }
    }

    [Fact]
    public async Task Fault_ReturnsInternalServerErrorWithoutDetails_AndLogsTheExceptionWithTheTarget()
    {
        var response = await _admin.GetAsync("/api/fault");

        var target = await Envelope.AssertAsync(response, HttpStatusCode.InternalServerError, "InternalServerError", "");
        var entry = Assert.Single(factory.Logs.Entries, e => e.Message.Contains(target, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal(FaultEndpoints.SecretMessage, entry.Exception?.Message);
    }

    [Fact]
    public async Task Fault_IsNotMapped_WhenTheFaultEndpointIsNotEnabled()
    {
        using var plain = new PlainSampleApiFactory();

        var response = await plain.CreateClient("dev-admin").GetAsync("/api/fault");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "NotFound", "General Not Found error message.");
    }

    [Fact]
    public async Task Errors_AreLoggedOnceEachWithTheirTarget()
    {
        var targets = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await _admin.GetAsync($"/api/machines/missing-{i}");
            targets.Add(await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", $"Machine missing-{i} was not found"));
        }

        Assert.Equal(5, targets.Distinct().Count());
        foreach (var target in targets)
        {
            var entry = Assert.Single(factory.Logs.Entries, e => e.Message.Contains(target, StringComparison.Ordinal));
            Assert.Equal("Defender.ErrorMiddleware", entry.Category);
            Assert.Equal(LogLevel.Warning, entry.Level);
        }
    }

    [Fact]
    public async Task ErrorResponse_KeepsTheCorsHeaders_WhenTheOriginIsAllowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/machines/nosuch");
        request.Headers.Add("Origin", "http://localhost:5173");

        var response = await _admin.SendAsync(request);

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
        Assert.Equal(["http://localhost:5173"], response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("x-ms-error-code", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_KeepsTheCorsHeaders_WhenTheOriginIsAllowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/machines");
        request.Headers.Add("Origin", "http://127.0.0.1:5173");

        var response = await factory.CreateClient(token: null).SendAsync(request);

        await Envelope.AssertAsync(response, HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized");
        Assert.Equal(["http://127.0.0.1:5173"], response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Equal(["Bearer"], response.Headers.GetValues("WWW-Authenticate"));
    }

    [Fact]
    public async Task ErrorResponse_HasNoCorsHeaders_WhenTheOriginIsNotAllowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/machines/nosuch");
        request.Headers.Add("Origin", "http://evil.example");

        var response = await _admin.SendAsync(request);

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_AllowsTheAuthorizationHeader_WhenTheOriginIsAllowed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, $"/api/machines/{SeedData.MacId}/isolate");
        request.Headers.Add("Origin", "http://localhost:5173");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        var response = await factory.CreateClient(token: null).SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(["http://localhost:5173"], response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task OpenApiDocument_DescribesEveryRouteAndTheBearerScheme(string path)
    {
        var response = await factory.CreateClient(token: null).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        string[] expected =
        [
            "/api/indicators", "/api/indicators/import", "/api/indicators/{id}", "/api/liveresponseresults/{id}/{index}",
            "/api/machineactions", "/api/machineactions/{id}", "/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index={index})",
            "/api/machineactions/{id}/cancel", "/api/machines", "/api/machines/findbytag", "/api/machines/{id}",
            "/api/machines/{id}/collectInvestigationPackage", "/api/machines/{id}/isolate", "/api/machines/{id}/offboard",
            "/api/machines/{id}/restrictCodeExecution", "/api/machines/{id}/runAntiVirusScan", "/api/machines/{id}/runliveresponse",
            "/api/machines/{id}/unisolate", "/api/machines/{id}/unrestrictCodeExecution",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(root.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task OpenApiDocument_ListsTheCodesEachOperationCanAnswer(string path)
    {
        using var document = JsonDocument.Parse(await factory.CreateClient(token: null).GetStringAsync(path));
        var paths = document.RootElement.GetProperty("paths");

        string[] Codes(string route, string method, string status) =>
            [.. paths.GetProperty(route).GetProperty(method).GetProperty("responses").GetProperty(status)
                .GetProperty("content").GetProperty("application/json").GetProperty("examples")
                .EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)];

        Assert.Equal(["ODataError"], Codes("/api/machines", "get", "400"));
        Assert.Equal(["ODataError"], Codes("/api/machineactions", "get", "400"));
        Assert.Equal(["ResourceNotFound"], Codes("/api/machines/{id}", "get", "404"));
        Assert.Equal(["Unauthorized"], Codes("/api/machines/{id}", "get", "401"));
        Assert.Equal(["TooManyRequests"], Codes("/api/machines/{id}", "get", "429"));
        Assert.Equal(["InternalServerError"], Codes("/api/machines/{id}", "get", "500"));
        string[] action400 =
        [
            "ActiveRequestAlreadyExists", "ClientVersionNotSupported", "InvalidInput", "InvalidRequestBody", "MissingRequiredParameter",
            "OsPlatformNotSupported",
        ];
        foreach (var action in new[] { "isolate", "unisolate", "runAntiVirusScan", "restrictCodeExecution", "unrestrictCodeExecution",
            "collectInvestigationPackage", "offboard", "runliveresponse" })
        {
            Assert.Equal(action400, Codes($"/api/machines/{{id}}/{action}", "post", "400"));
            Assert.Equal(["ResourceNotFound"], Codes($"/api/machines/{{id}}/{action}", "post", "404"));
        }

        Assert.Equal(["DisallowedOperation", "Forbidden"], Codes("/api/machines/{id}/isolate", "post", "403"));
        Assert.Equal(["DisabledFeature", "DisallowedOperation", "Forbidden"], Codes("/api/machines/{id}/runliveresponse", "post", "403"));
        Assert.Equal(["InvalidInput", "InvalidRequestBody", "MissingRequiredParameter"], Codes("/api/machineactions/{id}/cancel", "post", "400"));
        Assert.Equal(["DisallowedOperation", "Forbidden"], Codes("/api/machineactions/{id}/cancel", "post", "403"));
        Assert.Equal(["InvalidInput", "MissingRequiredParameter"], Codes("/api/machines/findbytag", "get", "400"));
        Assert.Equal(
            ["InvalidDomainName", "InvalidHashValue", "InvalidInput", "InvalidIpAddress", "InvalidRequestBody", "InvalidUrl", "MissingRequiredParameter"],
            Codes("/api/indicators", "post", "400"));
        Assert.Equal(["DisallowedOperation", "Forbidden"], Codes("/api/indicators", "post", "403"));
        Assert.Equal(["InvalidRequestBody", "MaximumBatchSizeExceeded", "MissingRequiredParameter"], Codes("/api/indicators/import", "post", "400"));
        Assert.Equal(["ResourceNotFound"], Codes("/api/indicators/{id}", "delete", "404"));
    }

    [Fact]
    public async Task SwaggerUi_IsServed_AtSwagger()
    {
        var response = await factory.CreateClient(token: null).GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private sealed class PlainSampleApiFactory : SampleApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();
    }
}
