using System.Net;
using System.Net.Sockets;
using System.Text;
using Defender.SampleApi.Data;
using Defender.SampleApi.Endpoints;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// Faults on the sample over real sockets: a secret in an exception, a client that goes away mid-body, a cancelled request, a
/// log provider that throws. (Response-started, writer failure and a throwing mapping are the library's own tests, in
/// Defender.ErrorMiddleware.Tests: the sample has no streaming route and no mapping to break.)
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    private static readonly string[] SecretParts = ["hunter2", "Password", "db.contoso.local", "Simulated", "InvalidOperationException", "FaultEndpoints"];

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Fault_ShowsNoneOfTheSecretOnTheWire_AndTheLogHasIt(string environment)
    {
        // Production takes only configured tokens, so the test configures one for both environments.
        var settings = Security.ProductionTokenTests.Configured;
        await using var host = new ReliabilityHost(kestrel: true, environment: environment, settings: settings).Start();

        var (status, headers, body) = await FuzzTests.RawAsync(host.Address,
            $"GET /api/fault HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Security.ProductionTokenTests.Token}\r\n\r\n");

        Assert.Equal(500, status);
        var wire = headers + "\r\n\r\n" + Encoding.UTF8.GetString(body);
        Assert.All(SecretParts, part => Assert.DoesNotContain(part, wire, StringComparison.OrdinalIgnoreCase));
        Assert.Null(StrictEnvelope.ParseStrict(body, out var error));
        Assert.Equal(("InternalServerError", ""), (error.Code, error.Message));

        var entry = Assert.Single(host.Logs.Entries, r => r.Target == error.Target);
        Assert.Equal((LogCapture.DefenderCategory, LogLevel.Error, "DefenderServerError"), (entry.Category, entry.Level, entry.EventId.Name));
        Assert.Equal(FaultEndpoints.SecretMessage, entry.Exception?.Message);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Theory]
    [InlineData("Content-Length: 4096\r\n", "{\"Comment\":\"half")]
    [InlineData("Transfer-Encoding: chunked\r\n", "10\r\n{\"Comment\":\"half")]
    [InlineData("Content-Length: 4096\r\n", "")]
    public async Task ClientThatDisconnectsMidBody_CausesNoErrorLog_AndNothingEscapes(string framing, string partialBody)
    {
        var observer = new RequestObserver();
        await using var host = new ReliabilityHost(kestrel: true, services: s => s.AddSingleton<IStartupFilter>(observer)).Start();
        var id = Guid.NewGuid().ToString();

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(IPAddress.Loopback, host.Address.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(
                $"POST /api/machines/{SeedData.LabWindowsId}/isolate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dev-admin\r\n" +
                $"Content-Type: application/json\r\nx-observe: {id}\r\n{framing}\r\n{partialBody}"));
            await stream.FlushAsync();
            await observer.BodyReadStarted(id).WaitAsync(TimeSpan.FromSeconds(30));

            // Gone mid-body: a reset, not a polite close.
            socket.Client.LingerState = new LingerOption(true, 0);
        }

        var outcome = await observer.Finished(id).WaitAsync(TimeSpan.FromSeconds(30));
        Report(host, outcome);

        Assert.Null(outcome.Escaped);
        Assert.True(outcome.Aborted);
        AssertNoServerFaultLogged(host);
        await AssertStillServingAsync(host);
    }

    [Fact]
    public async Task CancelledRequest_CausesNoErrorLog_AndNothingEscapes()
    {
        var observer = new RequestObserver();
        await using var host = new ReliabilityHost(kestrel: true, services: s => s.AddSingleton<IStartupFilter>(observer)).Start();
        using var client = host.Client();
        var id = Guid.NewGuid().ToString();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/machines/{SeedData.LabWindowsId}/isolate")
        {
            Content = new StalledContent("{\"Comment\":\"wait for it"),
        };
        request.Headers.Add("x-observe", id);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var sending = client.SendAsync(request, cancel.Token);
        await observer.BodyReadStarted(id).WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        var outcome = await observer.Finished(id).WaitAsync(TimeSpan.FromSeconds(30));
        Report(host, outcome);
        Assert.Null(outcome.Escaped);
        Assert.True(outcome.Aborted);
        AssertNoServerFaultLogged(host);
        await AssertStillServingAsync(host);
    }

    [Fact]
    public async Task ThrowingLogProvider_DoesNotCostTheSampleItsAnswers()
    {
        await using var host = new ReliabilityHost(logging: l => l.AddProvider(new ThrowingLogProvider())).Start();
        using var client = host.Client();

        var missing = await client.GetAsync("/api/machines/nosuch");
        var fault = await client.GetAsync("/api/fault");

        Assert.Null(StrictEnvelope.Check(missing, await missing.Content.ReadAsByteArrayAsync(), out var notFound));
        Assert.Equal(("ResourceNotFound", "Machine nosuch was not found"), (notFound.Code, notFound.Message));
        Assert.Null(StrictEnvelope.Check(fault, await fault.Content.ReadAsByteArrayAsync(), out var serverError));
        Assert.Equal((HttpStatusCode.InternalServerError, "InternalServerError"), (fault.StatusCode, serverError.Code));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
    }

    private void Report(ReliabilityHost host, RequestObserver.Outcome outcome)
    {
        output.WriteLine($"server side: status {outcome.Status}, aborted {outcome.Aborted}, escaped {outcome.Escaped?.GetType().Name ?? "nothing"}");
        foreach (var record in host.Logs.Entries.Where(r => r.Level >= LogLevel.Debug && r.Category.StartsWith("Defender", StringComparison.Ordinal)))
        {
            output.WriteLine($"  {record.Level} {record.Category} {record.EventId.Name}: {record.Message}");
        }
    }

    // Nothing at Error. When the reset arrives while the framework reads the body, Kestrel reports "unexpected end of request
    // content" and the middleware may answer (and log at Warning) a 400 nobody receives: a client error, never a server fault.
    private static void AssertNoServerFaultLogged(ReliabilityHost host)
    {
        Assert.DoesNotContain(host.Logs.Entries, r => r.Level >= LogLevel.Error);
        Assert.All(host.Logs.Entries.Where(r => r.Category == LogCapture.DefenderCategory && r.Level >= LogLevel.Warning),
            r => Assert.Equal(("DefenderClientError", 400), (r.EventId.Name, (int?)r.Field("StatusCode"))));
    }

    private static async Task AssertStillServingAsync(ReliabilityHost host)
    {
        using var client = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
    }

    /// <summary>Sends the start of a body, then waits (for cancellation) and never sends the rest.</summary>
    private sealed class StalledContent(string start) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(start), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
