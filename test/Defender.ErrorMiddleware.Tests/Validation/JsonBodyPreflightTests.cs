using System.Net;
using System.Text;
using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>
/// The middleware's JSON body check before binding: bad bodies are answered with the real JSON path (which the framework's
/// own exception cannot give), good ones still bind from the same bytes — for minimal APIs and both kinds of controller,
/// over TestServer and Kestrel — and requests it must not touch are left to the framework.
/// </summary>
public sealed class JsonBodyPreflightTests
{
    public static TheoryData<string, bool> SurfacesAndHosts()
    {
        var data = new TheoryData<string, bool>();
        foreach (var surface in ValidationTestApp.Surfaces)
        {
            data.Add(surface, false);
            data.Add(surface, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SurfacesAndHosts))]
    public async Task Post_BindsTheSameBytes_AfterTheCheck(string surface, bool kestrel)
    {
        await using var app = await StartAsync(kestrel);
        using var client = Client(app, kestrel);

        // Small, then large enough to arrive in several segments, then beyond the checked size: each binds intact.
        foreach (var length in new[] { 1, 200_000, 256 * 1024 + 10 })
        {
            var comment = new string('c', length - 1) + "é";
            using var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"" + comment + "\",\"IsolationType\":\"Full\"}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"Comment\":\"" + comment + "\"}", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [MemberData(nameof(SurfacesAndHosts))]
    public async Task Post_AnswersTheJsonPath_ForMalformedBody(string surface, bool kestrel)
    {
        await using var app = await StartAsync(kestrel);
        using var client = Client(app, kestrel);

        using (var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"isolate it\",\"IsolationType\":")))
        {
            await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody",
                "The request body is not valid JSON at $.IsolationType (line 1, column 41).");
        }

        using (var response = await client.SendAsync(ValidationTestApp.Post($"/{surface}/nested", "{\"Items\":[{\"Comment\":\"a\"},\n{\"Comment\":tru}]}")))
        {
            await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody",
                "The request body is not valid JSON at $.Items[1].Comment (line 2, column 15).");
        }

        // The connection keeps serving after an answer that left the body unread.
        using var next = await client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"ok\"}"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_AnswersInvalidUtf8_WithItsPath(string surface)
    {
        await using var app = await StartAsync(kestrel: false);
        using var client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{surface}/isolate")
        {
            Content = new ByteArrayContent([.. "{\"Comment\":\"ab"u8, 0xFF, .. "\"}"u8]),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        using var response = await client.SendAsync(request);
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody",
            "The request body is not valid UTF-8 at $.Comment (line 1, column 17).");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_InspectsChunkedBodyOnRead_WithTheSameAnswer(string surface)
    {
        await using var app = await StartAsync(kestrel: true);
        using var client = Client(app, kestrel: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{surface}/isolate")
        {
            Content = new StreamContent(new MemoryStream("{\"Comment\":"u8.ToArray())),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        // No Content-Length: not checked up front, but on the binder's read, with the same path and position.
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody",
            "The request body is not valid JSON at $.Comment (line 1, column 12).");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_LeavesOtherCharsetsToTheFramework(string surface)
    {
        await using var app = await StartAsync(kestrel: false);
        using var client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{surface}/isolate")
        {
            Content = new ByteArrayContent(Encoding.Unicode.GetBytes("{\"Comment\":\"utf16\"}")),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"Comment\":\"utf16\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_KeepsAuthenticationFirst_ForEndpointsThatRequireIt()
    {
        await using var app = await ValidationTestApp.StartAsync(host: builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddAuthentication("Deny").AddScheme<AuthenticationSchemeOptions, DenyHandler>("Deny", _ => { });
            builder.Services.AddAuthorization();
        }, map: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapPost("/secured/isolate", (IsolateRequest request) => Results.Ok(new { request.Comment })).RequireAuthorization();
        });
        using var client = app.Client();
        using var response = await client.SendAsync(ValidationTestApp.Post("/secured/isolate", "{\"Comment\":"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Post_LogsTheBindersException_WhenClientErrorExceptionsAreLogged()
    {
        // The body is judged where the binder reads it: the one log line carries the binder's exception when asked for.
        var log = new LogCapture();
        await using var app = await ValidationTestApp.StartAsync(
            o => o.LogClientErrorExceptions = true,
            map: app => app.Services.GetRequiredService<ILoggerFactory>().AddProvider(log));
        using var client = app.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/minimal/isolate") { Content = new StreamContent(new MemoryStream("{\"comment\":\"x\"}"u8.ToArray())) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(Assert.Single(log.FromDefender).Exception);
    }

    [Fact]
    public async Task Post_ChecksNothing_WhenValidateRequestsIsOff()
    {
        await using var app = await ValidationTestApp.StartAsync(o => o.ValidateRequests = false);
        using var client = app.Client();
        using var response = await client.SendAsync(ValidationTestApp.Post("/minimal/isolate", "{\"Comment\":"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("$.Comment", body, StringComparison.Ordinal);
    }

    private static Task<WebApplication> StartAsync(bool kestrel) => kestrel
        ? ValidationTestApp.StartAsync(host: builder => builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0"))
        : ValidationTestApp.StartAsync();

    private static HttpClient Client(WebApplication app, bool kestrel)
    {
        if (!kestrel)
        {
            return app.Client();
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address) };
    }

    private sealed class DenyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
