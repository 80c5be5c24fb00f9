using System.Buffers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text;
using System.Text.Json.Serialization;
using Defender.ErrorMiddleware;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>The error handling an app is configured with; everything else about the app is the same.</summary>
public enum ErrorHandling
{
    /// <summary>No error handling at all: the baseline for the success path.</summary>
    None,

    /// <summary>ASP.NET Core's own: AddProblemDetails + UseExceptionHandler + an IExceptionHandler + UseStatusCodePages.</summary>
    BuiltIn,

    /// <summary>The limit: endpoints write a precomputed envelope with a fresh GUID.</summary>
    Precomputed,

    /// <summary>AddDefenderErrors + UseDefenderErrors.</summary>
    Defender,
}

public sealed class IsolateRequest
{
    public required string Comment { get; init; }

    public string? IsolationType { get; init; }
}

[JsonSerializable(typeof(IsolateRequest))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;

/// <summary>The same small app in each configuration, on Kestrel at 127.0.0.1, with a real HttpClient.</summary>
public sealed class BenchmarkApp : IAsyncDisposable
{
    private static readonly byte[] EnvelopePrefix = "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"Machine 42 was not found\",\"target\":\""u8.ToArray();
    private static readonly byte[] EnvelopeSuffix = "\"}}"u8.ToArray();

    private readonly WebApplication _app;

    private BenchmarkApp(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<BenchmarkApp> StartAsync(ErrorHandling handling)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(new FormattingDiscardLoggerProvider());
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, BenchmarkJsonContext.Default);
            o.SerializerOptions.PropertyNameCaseInsensitive = false;
            // The Defender APIs document PascalCase names: without this the web defaults' camelCase policy would make the
            // "valid" body the wrong-case one and the other way round.
            o.SerializerOptions.PropertyNamingPolicy = null;
        });

        switch (handling)
        {
            case ErrorHandling.BuiltIn:
                builder.Services.AddProblemDetails();
                builder.Services.AddExceptionHandler<NotFoundExceptionHandler>();
                break;
            case ErrorHandling.Defender:
                builder.Services.AddDefenderErrors();
                break;
        }

        // One endpoint behind authorization (a header scheme, authenticated only there): its body is judged on the binder's read.
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.Name, null);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        switch (handling)
        {
            case ErrorHandling.BuiltIn:
                app.UseExceptionHandler();
                app.UseStatusCodePages();
                break;
            case ErrorHandling.Defender:
                app.UseDefenderErrors();
                break;
        }

        app.UseAuthorization();
        app.MapGet("/api/machines/ok", () => Results.Text("{\"id\":\"42\"}", "application/json"));
        app.MapGet("/api/machines/throw", string () => handling == ErrorHandling.Defender
            ? throw new DefenderException(DefenderError.ResourceNotFound("Machine", "42"))
            : throw new MachineNotFoundException("42"));
        app.MapGet("/api/machines/result", (HttpContext context) => handling switch
        {
            ErrorHandling.Defender => DefenderResults.Error(DefenderError.ResourceNotFound("Machine", "42")),
            ErrorHandling.Precomputed => new PrecomputedEnvelope(),
            _ => Results.Problem(statusCode: 404, detail: "Machine 42 was not found"),
        });
        app.MapGet("/api/messages/{length:int}", (int length) => handling == ErrorHandling.Defender
            ? (IResult)DefenderResults.Error(DefenderError.BadRequest(Messages.OfLength(length)))
            : Results.Problem(statusCode: 400, detail: Messages.OfLength(length)));
        app.MapPost("/api/machines/isolate", (IsolateRequest request) => Results.Text("{\"id\":\"action\"}", "application/json", statusCode: 201));
        app.MapPost("/api/secured/isolate", (IsolateRequest request) => Results.Text("{\"id\":\"action\"}", "application/json", statusCode: 201))
            .RequireAuthorization(p => p.AddAuthenticationSchemes(HeaderAuthenticationHandler.Name).RequireAuthenticatedUser());

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = new Uri(address) };
        return new BenchmarkApp(app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed class MachineNotFoundException(string id) : Exception("Machine " + id + " was not found");

    /// <summary>The built-in way users write today: an IExceptionHandler that writes ProblemDetails.</summary>
    private sealed class NotFoundExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not MachineNotFoundException)
            {
                return false;
            }

            httpContext.Response.StatusCode = 404;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Status = 404, Title = "ResourceNotFound", Detail = exception.Message },
            });
        }
    }

    /// <summary>The limit: the envelope's bytes with a fresh GUID, nothing else.</summary>
    private sealed class PrecomputedEnvelope : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = 404;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = EnvelopePrefix.Length + 36 + EnvelopeSuffix.Length;
            var writer = response.BodyWriter;
            writer.Write(EnvelopePrefix);
            var span = writer.GetSpan(36);
            Guid.NewGuid().TryFormat(span, out var written);
            writer.Advance(written);
            writer.Write(EnvelopeSuffix);
            return writer.FlushAsync().AsTask();
        }
    }
}

/// <summary>Authenticates a request that carries <c>Authorization: Bench</c>; nothing else about it.</summary>
internal sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    internal const string Name = "Bench";

    private static readonly AuthenticationTicket Ticket =
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "bench")], Name)), Name);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Request.Headers.Authorization == Name ? AuthenticateResult.Success(Ticket) : AuthenticateResult.NoResult());
}

/// <summary>Formats every message and throws it away, so logging costs what it costs without I/O.</summary>
internal sealed class FormattingDiscardLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger();

    public void Dispose()
    {
    }

    private sealed class Logger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            GC.KeepAlive(text);
            if (exception is not null)
            {
                GC.KeepAlive(exception.ToString());
            }
        }
    }
}

/// <summary>Messages of a given length, built once so that the benchmark measures writing them, not making them.</summary>
internal static class Messages
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Cache = new();

    internal static string OfLength(int length) => Cache.GetOrAdd(length, static n => string.Create(n, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (char)('a' + (i % 26));
        }
    }));
}

internal static class Requests
{
    internal const string ValidBody = "{\"Comment\":\"isolate it\",\"IsolationType\":\"Full\"}";
    internal const string MalformedBody = "{\"Comment\":\"isolate it\",\"IsolationType\":";
    internal const string WrongCaseBody = "{\"comment\":\"isolate it\",\"IsolationType\":\"Full\"}";

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>A request to <paramref name="path"/>, authenticated for the secured endpoint.</summary>
    internal static HttpRequestMessage Create(HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        if (path.StartsWith("/api/secured/", StringComparison.Ordinal))
        {
            request.Headers.TryAddWithoutValidation("Authorization", HeaderAuthenticationHandler.Name);
        }

        return request;
    }
}
