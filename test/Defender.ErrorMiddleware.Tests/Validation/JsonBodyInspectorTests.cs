using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Defender.ErrorMiddleware.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>
/// The body inspector's second moment: bodies it cannot judge before the endpoint (behind authorization, chunked, over
/// 256 KB) are judged on the binder's first read, with the same answers — and nothing of it lives in the application's
/// JSON options.
/// </summary>
public sealed class JsonBodyInspectorTests
{
    /// <summary>Every documented body case, behind a fallback authorization policy: authorization first, then the same envelope.</summary>
    [Theory]
    [MemberData(nameof(ValidationCaseTests.BodyCases), MemberType = typeof(ValidationCaseTests))]
    public async Task Post_AnswersTheSameEnvelope_WhenTheEndpointRequiresAuthorization(
        string surface, string action, string? body, string contentType, int status, string code, string message)
    {
        await using var app = await StartSecuredAsync();
        using var client = app.Client();

        using (var anonymous = await client.SendAsync(ValidationTestApp.Post($"/{surface}/{action}", body, contentType)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var request = ValidationTestApp.Post($"/{surface}/{action}", body, contentType);
        request.Headers.TryAddWithoutValidation("Authorization", AllowHandler.Name);
        using var response = await client.SendAsync(request);
        await ValidationTestApp.AssertEnvelopeAsync(response, (HttpStatusCode)status, code, message);
    }

    [Theory]
    [MemberData(nameof(ValidationCaseTests.ValidCases), MemberType = typeof(ValidationCaseTests))]
    public async Task Post_BindsTheSameBytes_WhenTheEndpointRequiresAuthorization(string surface, string action, string body)
    {
        await using var app = await StartSecuredAsync();
        using var client = app.Client();
        using var request = ValidationTestApp.Post($"/{surface}/{action}", body);
        request.Headers.TryAddWithoutValidation("Authorization", AllowHandler.Name);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{surface}/{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_AnswersTheCaseHint_ForChunkedAndLargeBodies(string surface)
    {
        await using var app = await ValidationTestApp.StartAsync(host: builder => builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0"));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var padding = new string('p', 256 * 1024);

        foreach (var chunked in new[] { true, false })
        {
            var body = "{\"IsolationType\":\"" + padding + "\",\"comment\":\"x\"}";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/{surface}/isolate") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            if (chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }
            else
            {
                request.Content.Headers.ContentLength = Encoding.UTF8.GetByteCount(body);
            }

            using var response = await client.SendAsync(request);
            await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter",
                "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");

            // The large valid body still binds whole, and the connection keeps serving.
            var valid = "{\"IsolationType\":\"" + padding + "\",\"Comment\":\"x\"}";
            using var ok = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/{surface}/isolate")
            {
                Content = new StringContent(valid, Encoding.UTF8, "application/json"),
            });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("{\"Comment\":\"x\"}", await ok.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// Middleware after authorization that reads Request.Body itself — rewound with EnableBuffering, or synchronously where
    /// the app allowed it — sees every body as sent (nothing judges it before the app's own middleware); the binder then
    /// reads the rewound body and refuses the bad one with the same envelope, and binds the good one whole.
    /// </summary>
    [Theory]
    [InlineData("minimal", false)]
    [InlineData("minimal", true)]
    [InlineData("api-controller", false)]
    [InlineData("controller", true)]
    public async Task Post_JudgesTheBody_WhenMiddlewareAfterAuthorizationReadsTheStream(string surface, bool synchronous)
    {
        var seen = new List<string>();
        await using var app = await StartSecuredAsync(ownResultHandler: true, afterAuthorization: inner => inner.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            string text;
            if (synchronous)
            {
                context.Features.GetRequiredFeature<IHttpBodyControlFeature>().AllowSynchronousIO = true;
                using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
#pragma warning disable CA1849 // The synchronous read is the case under test.
                text = reader.ReadToEnd();
#pragma warning restore CA1849
            }
            else
            {
                using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
                text = await reader.ReadToEndAsync();
            }

            lock (seen)
            {
                seen.Add(text);
            }

            context.Request.Body.Position = 0;
            await next(context);
        }));
        using var client = app.Client();

        await PostWrongCaseAuthorizedAsync(client, surface);

        await PostValidAuthorizedAsync(client, surface);

        Assert.Equal(["{\"comment\":\"x\"}", "{\"Comment\":\"x\"}"], seen);
    }

    /// <summary>
    /// Behind authorization, in whichever order the app registered it and with or without its own result handler (which is
    /// kept, never replaced): the body is judged by the binder, after the app's middleware, with the same envelope and the
    /// binder's one exception handled.
    /// </summary>
    [Theory]
    [InlineData("minimal", false, false)]
    [InlineData("minimal", true, false)]
    [InlineData("api-controller", false, false)]
    [InlineData("controller", true, false)]
    [InlineData("minimal", false, true)]
    [InlineData("controller", false, true)]
    public async Task Post_JudgesTheBodyOnceAuthorized_UnlessTheAppHasItsOwnResultHandler(string surface, bool authorizationFirst, bool ownResultHandler)
    {
        var reachedAfterAuthorization = 0;
        await using var app = await StartSecuredAsync(authorizationFirst: authorizationFirst, ownResultHandler: ownResultHandler, afterAuthorization: inner => inner.Use((context, next) =>
        {
            Interlocked.Increment(ref reachedAfterAuthorization);
            return next(context);
        }));
        using var signals = new Framework.PlatformSignals(app.Services);
        using var client = app.Client();

        await PostWrongCaseAuthorizedAsync(client, surface);

        Assert.Equal(1, reachedAfterAuthorization);
        // Minimal APIs throw the binder's failure to the error pipeline; MVC keeps it in ModelState.
        Assert.Equal(surface == "minimal" ? 1 : 0, (await signals.ExceptionsAsync(surface == "minimal" ? 1 : 0)).Count);
        Assert.Equal(ownResultHandler, app.Services.GetRequiredService<IAuthorizationMiddlewareResultHandler>() is CountingResultHandler { Calls: 1 });

        await PostValidAuthorizedAsync(client, surface);

        Assert.Equal(2, reachedAfterAuthorization);
    }

    /// <summary>
    /// An endpoint that declares authorization (RequireAuthorization) must pass the authorization middleware, so a buffered
    /// body is checked by the result handler with nothing installed before the endpoint (the binder reads the server's own
    /// pipe); a chunked one goes through the inspected body. The same answers either way, over Kestrel: 401 first, then
    /// the envelope, and middleware after authorization never sees a bad body.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_JudgesTheBodyOnceAuthorized_WhenTheEndpointDeclaresAuthorization(bool chunked)
    {
        var reachedAfterAuthorization = 0;
        await using var app = await ValidationTestApp.StartAsync(host: builder =>
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Services.AddAuthentication(AllowHandler.Name).AddScheme<AuthenticationSchemeOptions, AllowHandler>(AllowHandler.Name, _ => { });
            builder.Services.AddAuthorization();
        }, map: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.Use((context, next) =>
            {
                Interlocked.Increment(ref reachedAfterAuthorization);
                return next(context);
            });
            app.MapPost("/declared/isolate", (IsolateRequest request, HttpContext context) =>
                    Results.Ok(new { request.Comment }))
                .RequireAuthorization();
        });
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        HttpRequestMessage Post(string body, bool authorized)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/declared/isolate") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.TransferEncodingChunked = chunked;
            if (!chunked)
            {
                request.Content.Headers.ContentLength = Encoding.UTF8.GetByteCount(body);
            }

            if (authorized)
            {
                request.Headers.TryAddWithoutValidation("Authorization", AllowHandler.Name);
            }

            return request;
        }

        using (var anonymous = await client.SendAsync(Post("{\"comment\":\"x\"}", authorized: false)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrongCase = await client.SendAsync(Post("{\"comment\":\"x\"}", authorized: true)))
        {
            await ValidationTestApp.AssertEnvelopeAsync(wrongCase, HttpStatusCode.BadRequest, "MissingRequiredParameter",
                "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
        }

        using (var malformed = await client.SendAsync(Post("{\"Comment\":", authorized: true)))
        {
            await ValidationTestApp.AssertEnvelopeAsync(malformed, HttpStatusCode.BadRequest, "InvalidRequestBody",
                "The request body is not valid JSON at $.Comment (line 1, column 12).");
        }

        // The app's own middleware always has its turn: the binder judges the body, after it.
        Assert.Equal(2, reachedAfterAuthorization);
        using (var valid = await client.SendAsync(Post("{\"Comment\":\"x\"}", authorized: true)))
        {
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
            Assert.Equal("{\"Comment\":\"x\"}", await valid.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, reachedAfterAuthorization);
    }

    [Fact]
    public async Task Post_AnswersTooLarge_WhenTheInspectedBodyExceedsTheServerLimit()
    {
        await using var app = await ValidationTestApp.StartAsync(host: builder => builder.WebHost
            .UseKestrel(k => k.Limits.MaxRequestBodySize = 1000).UseUrls("http://127.0.0.1:0"));
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/minimal/isolate")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"Comment\":\"" + new string('c', 5000) + "\"}"))),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.RequestEntityTooLarge, "InvalidRequestBody", "The request body is too large.");
    }

    [Fact]
    public async Task JsonOptions_DeserializeTheAppsOwnData_WithoutHttpErrors()
    {
        // The body contract lives in the binders' JSON options, so the application's own reads with them follow it too: a
        // JsonException (never a DefenderException, which would answer 400), no converter of ours, the valid data bound.
        await using var app = await ValidationTestApp.StartAsync();
        var options = new[]
        {
            app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions,
            app.Services.GetRequiredService<IOptions<MvcJsonOptions>>().Value.JsonSerializerOptions,
        };
        foreach (var serializerOptions in options)
        {
            Assert.DoesNotContain(serializerOptions.Converters, c => c.GetType().Assembly == typeof(DefenderException).Assembly);
            Assert.Equal("x", JsonSerializer.Deserialize<IsolateRequest>("{\"Comment\":\"x\"}", serializerOptions)!.Comment);
            var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<IsolateRequest>("{\"comment\":\"x\"}", serializerOptions));
            Assert.IsNotType<DefenderException>(exception.InnerException);
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<AnnotatedRequest>("{\"comment\":\"x\"}", serializerOptions));
            Assert.Equal("{\"Comment\":\"x\",\"IsolationType\":null}",
                JsonSerializer.Serialize(new IsolateRequest { Comment = "x" }, serializerOptions));
        }
    }

    private static async Task PostWrongCaseAuthorizedAsync(HttpClient client, string surface)
    {
        using var request = ValidationTestApp.Post($"/{surface}/isolate", "{\"comment\":\"x\"}");
        request.Headers.TryAddWithoutValidation("Authorization", AllowHandler.Name);
        using var response = await client.SendAsync(request);
        await ValidationTestApp.AssertEnvelopeAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
    }

    private static async Task PostValidAuthorizedAsync(HttpClient client, string surface)
    {
        using var request = ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"x\"}");
        request.Headers.TryAddWithoutValidation("Authorization", AllowHandler.Name);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"Comment\":\"x\"}", await response.Content.ReadAsStringAsync());
    }

    /// <param name="authorizationFirst">AddAuthorization() before the app's AddDefenderErrors() (else after it).</param>
    /// <param name="ownResultHandler">The app registers its own <see cref="IAuthorizationMiddlewareResultHandler"/>.</param>
    /// <param name="afterAuthorization">Middleware the app puts after UseAuthorization().</param>
    private static Task<WebApplication> StartSecuredAsync(bool authorizationFirst = false, bool ownResultHandler = false, Action<WebApplication>? afterAuthorization = null) =>
        ValidationTestApp.StartAsync(host: builder =>
    {
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(AllowHandler.Name).AddScheme<AuthenticationSchemeOptions, AllowHandler>(AllowHandler.Name, _ => { });
        if (authorizationFirst)
        {
            // ValidationTestApp adds AddDefenderErrors() after this callback; a second call only adds configuration.
            builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            builder.Services.AddDefenderErrors();
        }
        else
        {
            builder.Services.AddDefenderErrors();
            builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        }

        if (ownResultHandler)
        {
            builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, CountingResultHandler>();
        }
    }, map: app =>
    {
        app.UseAuthentication();
        app.UseAuthorization();
        afterAuthorization?.Invoke(app);
    });

    /// <summary>An application's own result handler: the framework's behaviour, counted.</summary>
    private sealed class CountingResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly Microsoft.AspNetCore.Authorization.Policy.AuthorizationMiddlewareResultHandler _framework = new();
        private int _calls;

        public int Calls => _calls;

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, Microsoft.AspNetCore.Authorization.Policy.PolicyAuthorizationResult authorizeResult)
        {
            Interlocked.Increment(ref _calls);
            return _framework.HandleAsync(next, context, policy, authorizeResult);
        }
    }

    /// <summary>Authenticates a request whose Authorization header is the scheme's name; the others stay anonymous.</summary>
    private sealed class AllowHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        internal const string Name = "Allow";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers.Authorization == Name
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "test")], Name)), Name))
                : AuthenticateResult.NoResult());
    }
}
