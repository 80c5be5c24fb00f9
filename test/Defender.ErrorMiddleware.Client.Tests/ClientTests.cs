using System.Net;
using System.Text;
using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Client.Tests;

/// <summary>The client against a real server: the middleware's envelopes, and a "proxy" branch that answers without one.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private const string TruncatedEnvelope = """{"error":{"code":"InternalServerError","mess""";
    private const string Html = "<html><body><h1>502 Bad Gateway</h1></body></html>";

    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors();
        _app = builder.Build();

        // A proxy in front of the API: its answers never pass through the middleware.
        _app.Map("/proxy", proxy => proxy.Run(async context =>
        {
            var response = context.Response;
            switch (context.Request.Path.Value)
            {
                case "/html":
                    response.StatusCode = 502;
                    response.ContentType = "text/html";
                    await response.WriteAsync(Html);
                    break;
                case "/empty":
                    response.StatusCode = 503;
                    response.Headers.Date = "Sun, 22 Nov 2026 00:00:00 GMT";
                    response.Headers.RetryAfter = "Sun, 22 Nov 2026 00:02:00 GMT";
                    break;
                case "/truncated":
                    response.StatusCode = 500;
                    response.ContentType = "application/json";
                    await response.WriteAsync(TruncatedEnvelope);
                    break;
                case "/other-json":
                    response.StatusCode = 400;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"message":"not ours","error":"text"}""");
                    break;
                case "/big":
                    response.StatusCode = 502;
                    await response.WriteAsync(new string('x', 200_000));
                    break;
                case "/unknown-code":
                    response.StatusCode = 409;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"error":{"code":"SomethingNew","message":"A newer server's code.","target":"1fa66c0f-18bd-4133-b378-36d76f3a2ba0"}}""");
                    break;
                case "/bad-target":
                    response.StatusCode = 400;
                    response.ContentType = "application/json";
                    await response.WriteAsync("""{"error":{"code":"BadRequest","message":"m","target":"not-a-guid"}}""");
                    break;
                case "/echo":
                    response.StatusCode = 400;
                    await context.Request.Body.CopyToAsync(response.Body);
                    break;
            }
        }));

        _app.UseDefenderErrors();
        _app.MapGet("/ok", () => "fine");
        _app.MapMethods("/machines/{id}", ["GET", "HEAD"], (string id) =>
        {
            throw new DefenderException(DefenderError.ResourceNotFound("Machine", id));
        });
        _app.MapGet("/throttled", (HttpContext context) =>
        {
            context.Response.Headers.RetryAfter = "30";
            return DefenderResults.Error(new DefenderError("TooManyRequests"));
        });
        _app.MapGet("/crash", string () => throw new InvalidOperationException("secret"));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient CreateClient(bool withHandler = false) =>
        withHandler
            ? new HttpClient(new DefenderApiErrorHandler(_app.GetTestServer().CreateHandler())) { BaseAddress = new Uri("http://localhost") }
            : _app.GetTestClient();

    [Fact]
    public async Task ReadDefenderErrorAsync_ReturnsNull_ForSuccess()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/ok", UriKind.Relative));
        Assert.Null(await response.ReadDefenderErrorAsync());
        Assert.Equal("fine", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_ReadsEveryField_ForAnEnvelope()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/machines/123123123", UriKind.Relative));
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.Equal((int)HttpStatusCode.NotFound, error.Status);
        Assert.Equal(DefenderErrorCode.ResourceNotFound, error.KnownCode);
        Assert.Equal("ResourceNotFound", error.Code);
        Assert.Equal("Machine 123123123 was not found", error.Message);
        Assert.NotNull(error.Target);
        Assert.NotEqual(Guid.Empty, error.Target.Value);
        Assert.True(error.IsEnvelope);
        Assert.Null(error.RawBody);
        Assert.Null(error.RetryAfter);
        Assert.Equal($"ResourceNotFound (404): Machine 123123123 was not found [target {error.Target.Value:D}]", error.ToString());
    }

    [Fact]
    public async Task Handler_ThrowsDefenderApiException_ForAnEnvelope()
    {
        using var client = CreateClient(withHandler: true);
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri("/machines/7", UriKind.Relative)));

        Assert.Equal(404, exception.Status);
        Assert.Equal(HttpStatusCode.NotFound, ((HttpRequestException)exception).StatusCode);
        Assert.Equal(DefenderErrorCode.ResourceNotFound, exception.KnownCode);
        Assert.Equal("ResourceNotFound", exception.Code);
        Assert.NotNull(exception.Target);
        Assert.Equal($"ResourceNotFound (404): Machine 7 was not found [target {exception.Target.Value:D}]", exception.Message);
    }

    [Fact]
    public async Task Handler_PassesSuccessThrough()
    {
        using var client = CreateClient(withHandler: true);
        Assert.Equal("fine", await client.GetStringAsync(new Uri("/ok", UriKind.Relative)));
    }

    [Fact]
    public async Task Handler_ThrowsWithEmptyMessage_ForInternalServerError()
    {
        using var client = CreateClient(withHandler: true);
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri("/crash", UriKind.Relative)));

        Assert.Equal((int)HttpStatusCode.InternalServerError, exception.Status);
        Assert.Equal(DefenderErrorCode.InternalServerError, exception.KnownCode);
        Assert.Equal(string.Empty, exception.Error.Message);
        Assert.Equal($"InternalServerError (500) [target {exception.Target!.Value:D}]", exception.Message);
        Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_ExposesRetryAfterAndRawCode_ForRegisteredCode()
    {
        using var client = CreateClient(withHandler: true);
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri("/throttled", UriKind.Relative)));

        Assert.Equal((int)HttpStatusCode.TooManyRequests, exception.Status);
        Assert.Equal(DefenderStatusCodeErrors.TooManyRequests, exception.Code);
        Assert.Null(exception.KnownCode);
        Assert.True(exception.IsRetryable);
        Assert.Equal(TimeSpan.FromSeconds(30), exception.RetryAfter);
        Assert.Null(exception.Error.RetryAfterDate);
        Assert.True(exception.Error.IsEnvelope);
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_KeepsRawCode_ForUnknownCode()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/proxy/unknown-code", UriKind.Relative));
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.Equal((int)HttpStatusCode.Conflict, error.Status);
        Assert.Null(error.KnownCode);
        Assert.Equal("SomethingNew", error.Code);
        Assert.Equal("A newer server's code.", error.Message);
        Assert.Equal(Guid.Parse("1fa66c0f-18bd-4133-b378-36d76f3a2ba0"), error.Target);
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_LeavesTargetNull_WhenNotAGuid()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/proxy/bad-target", UriKind.Relative));
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.True(error.IsEnvelope);
        Assert.Equal(DefenderErrorCode.BadRequest, error.KnownCode);
        Assert.Null(error.Target);
    }

    [Theory]
    [InlineData("/proxy/html", HttpStatusCode.BadGateway, Html)]
    [InlineData("/proxy/empty", HttpStatusCode.ServiceUnavailable, "")]
    [InlineData("/proxy/truncated", HttpStatusCode.InternalServerError, TruncatedEnvelope)]
    [InlineData("/proxy/other-json", HttpStatusCode.BadRequest, """{"message":"not ours","error":"text"}""")]
    public async Task Handler_ThrowsWithStatusAndRawText_ForBodiesThatAreNotEnvelopes(string path, HttpStatusCode status, string raw)
    {
        using var client = CreateClient(withHandler: true);
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri(path, UriKind.Relative)));

        Assert.Equal((int)status, exception.Status);
        Assert.False(exception.Error.IsEnvelope);
        Assert.Equal(raw, exception.Error.RawBody);
        Assert.Null(exception.Code);
        Assert.Null(exception.KnownCode);
        Assert.Null(exception.Error.Message);
        Assert.Null(exception.Target);
        Assert.Equal($"The server answered {(int)status} without a Defender error envelope.", exception.Message);
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_ComputesRetryAfter_FromADateAgainstTheServerClock()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/proxy/empty", UriKind.Relative));
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.Equal(TimeSpan.FromMinutes(2), error.RetryAfter);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 2, 0, TimeSpan.Zero), error.RetryAfterDate);
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_BoundsRawText_ForHugeBodies()
    {
        using var client = CreateClient();
        using var response = await client.GetAsync(new Uri("/proxy/big", UriKind.Relative));
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.Equal(new string('x', DefenderApiErrorReader.MaxRawContentLength), error.RawBody);
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_TakesCodeFromHeader_ForHeadRequests()
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri("/machines/1", UriKind.Relative));
        using var response = await client.SendAsync(request);
        var error = await response.ReadDefenderErrorAsync();

        Assert.NotNull(error);
        Assert.Equal((int)HttpStatusCode.NotFound, error.Status);
        Assert.False(error.IsEnvelope);
        Assert.Equal(DefenderErrorCode.ResourceNotFound, error.KnownCode);
        Assert.Equal("ResourceNotFound", error.Code);
        Assert.Equal(string.Empty, error.RawBody);
        Assert.Equal("The server answered 404 ResourceNotFound without a Defender error envelope.", error.ToString());
    }

    [Fact]
    public async Task ReadDefenderErrorAsync_NeverThrows_ForMutatedBodies()
    {
        // Seeded and bounded: truncations and byte flips of a valid envelope, plus random bytes.
        var random = new Random(20261122);
        var valid = Encoding.UTF8.GetBytes("""{"error":{"code":"InvalidInput","message":"Invalid input abc.","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}""");
        using var client = CreateClient();
        for (var i = 0; i < 300; i++)
        {
            byte[] body;
            switch (i % 3)
            {
                case 0:
                    body = valid[..random.Next(valid.Length)];
                    break;
                case 1:
                    body = (byte[])valid.Clone();
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                    break;
                default:
                    body = new byte[random.Next(1, 64)];
                    random.NextBytes(body);
                    break;
            }

            using var content = new ByteArrayContent(body);
            using var response = await client.PostAsync(new Uri("/proxy/echo", UriKind.Relative), content);
            var error = await response.ReadDefenderErrorAsync();

            Assert.NotNull(error);
            Assert.Equal((int)HttpStatusCode.BadRequest, error.Status);
            if (error.IsEnvelope)
            {
                Assert.False(string.IsNullOrEmpty(error.Code));
                Assert.Null(error.RawBody);
            }
            else
            {
                Assert.NotNull(error.RawBody);
                Assert.Null(error.Message);
            }
        }
    }

    [Fact]
    public async Task ObsoleteNames_StillAnswer_AsTheSharedNames()
    {
        using var client = CreateClient(withHandler: true);
        var exception = await Assert.ThrowsAsync<DefenderApiException>(() => client.GetAsync(new Uri("/proxy/html", UriKind.Relative)));
#pragma warning disable CS0618 // the 1.0 names, kept as aliases
        Assert.Equal(HttpStatusCode.BadGateway, exception.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, exception.Error.StatusCode);
        Assert.Equal(exception.Error.RawBody, exception.Error.RawContent);
        Assert.Null(exception.CodeName);
        Assert.Null(exception.Error.CodeName);
#pragma warning restore CS0618
        Assert.True(exception.IsRetryable);
        Assert.Equal(["text/html"], exception.Headers["content-type"]);
        Assert.Equal(HttpMethod.Get, exception.Method);
        Assert.Equal(new Uri("http://localhost/proxy/html"), exception.RequestUri);
    }
}
