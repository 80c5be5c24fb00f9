using System.Net;
using System.Net.Sockets;
using System.Text;
using Defender.ErrorMiddleware.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>Behaviour that only a real server shows: half-sent responses, aborted clients, Kestrel's own limits.</summary>
public sealed class KestrelTests
{
    [Fact]
    public async Task ExceptionAfterResponseStarted_AbortsTheConnection_AndLogsTarget()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/half", async (HttpContext context) =>
        {
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("{\"value\":[");
            await context.Response.Body.FlushAsync();
            throw new InvalidOperationException("failed mid-stream");
        }), kestrel: true);

        var exception = await Record.ExceptionAsync(async () =>
        {
            using var response = await app.Client.GetAsync("/half", HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        });

        Assert.NotNull(exception);
        var entry = await WaitForAsync(app, e => e.EventId.Name == "DefenderResponseStarted");
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<Guid>(entry.State["Target"]);
        Assert.Equal("failed mid-stream", entry.Exception?.Message);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error && e.Category != "Defender.ErrorMiddleware");
    }

    [Fact]
    public async Task ClientAbort_WritesNothing_AndIsNotLoggedAsFailure()
    {
        var started = new TaskCompletionSource();
        var finished = new TaskCompletionSource();
        await using var app = await TestApp.StartAsync(a => a.MapGet("/slow", async (HttpContext context) =>
        {
            try
            {
                started.SetResult();
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                return "late";
            }
            finally
            {
                finished.TrySetResult();
            }
        }), kestrel: true);
        using var cancel = new CancellationTokenSource();

        var request = app.Client.GetAsync("/slow", cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var entry = await WaitForAsync(app, e => e.EventId.Name == "DefenderRequestAborted");
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task BodyOverServerLimit_Answers413Envelope_AndServerKeepsServing()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapPost("/upload", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                return (await reader.ReadToEndAsync()).Length;
            }),
            configureServices: s => s.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024),
            kestrel: true);

        using var big = new StringContent(new string('x', 10_000), Encoding.UTF8, "text/plain");
        await DefenderEnvelope.AssertErrorAsync(await app.Client.PostAsync("/upload", big), HttpStatusCode.RequestEntityTooLarge,
            "InvalidRequestBody", "The request body is too large.");

        using var small = new StringContent("hello", Encoding.UTF8, "text/plain");
        var ok = await app.Client.PostAsync("/upload", small);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("5", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThrowingLogProvider_DoesNotCostTheClientItsAnswer()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/x", string () => throw new DefenderException(DefenderError.ResourceNotFound("Machine", "1")));
                a.MapGet("/unregistered", () => DefenderResults.Error(new DefenderError("NoSuchCode", "x")));
                a.MapGet("/boom", string () => throw new InvalidOperationException("server fault"));
            },
            configureServices: s => s.AddLogging(l => l.AddProvider(new ThrowingLogProvider())),
            kestrel: true);

        for (var i = 0; i < 3; i++)
        {
            await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/x"), HttpStatusCode.NotFound, "ResourceNotFound", "Machine 1 was not found");
            await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/unregistered"), HttpStatusCode.InternalServerError, "InternalServerError", "");
            await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/boom"), HttpStatusCode.InternalServerError, "InternalServerError", "");
        }
    }

    [Fact]
    public async Task UnknownRoute_OnKestrel_AnswersNotFoundEnvelope_OverRawSocket()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/", () => "ok"), kestrel: true);
        var port = app.Client.BaseAddress!.Port;
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = socket.GetStream();
        await stream.WriteAsync("GET /api/machines/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(stream);

        var raw = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json; charset=utf-8\r\n", raw, StringComparison.Ordinal);
        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        DefenderEnvelope.AssertBody(body, "NotFound", "General Not Found error message.");
    }

    [Fact]
    public async Task WriterFailure_IsLogged_OriginalIsRethrown_AndServerKeepsServing()
    {
        await using var app = await TestApp.StartAsync(
            a =>
            {
                a.MapGet("/broken", string () => throw new InvalidOperationException("original failure"));
                a.MapGet("/fine", () => "fine");
            },
            configurePipeline: a => a.Use((context, next) =>
            {
                if (context.Request.Path == "/broken")
                {
                    context.Response.Body = new ThrowingStream();
                }

                return next(context);
            }),
            kestrel: true);

        var broken = await app.Client.GetAsync("/broken");

        Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        Assert.False(broken.Headers.Contains("x-ms-error-code"));
        var logs = app.Logs.FromDefender.ToList();
        Assert.Equal("original failure", Assert.Single(logs, e => e.EventId.Name == "DefenderServerError").Exception?.Message);
        Assert.IsType<IOException>(Assert.Single(logs, e => e.EventId.Name == "DefenderWriteFailed").Exception);
        Assert.Equal("fine", await app.Client.GetStringAsync("/fine"));
    }

    [Fact]
    public async Task ServerSideCancellation_IsAServerFault_NotAClientAbort()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapGet("/timeout", string () => throw new OperationCanceledException("a server-side timeout")), kestrel: true);

        await DefenderEnvelope.AssertErrorAsync(await app.Client.GetAsync("/timeout"), HttpStatusCode.InternalServerError, "InternalServerError", "");
        Assert.Equal(LogLevel.Error, Assert.Single(app.Logs.FromDefender).Level);
    }

    private sealed class ThrowingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => throw new IOException("disk full");

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("disk full"));

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.FromException(new IOException("disk full"));
    }

    private static async Task<LogEntry> WaitForAsync(TestApp app, Func<LogEntry, bool> predicate)
    {
        for (var i = 0; i < 100; i++)
        {
            var entry = app.Logs.Entries.FirstOrDefault(predicate);
            if (entry is not null)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("The expected log entry never came.");
    }
}
