using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Defender.SampleApi.Data;
using Xunit.Abstractions;

namespace Defender.SampleApi.Tests.Reliability;

/// <summary>
/// Bad input at volume: seeded hostile requests against every route that reads a body, a query or a route value.
/// Whatever arrives, the answer is a success or exactly the envelope, never a 5xx, never a leak, never a target twice.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    /// <summary>Change it to explore; a failure names the seed and the case index that reproduce it.</summary>
    private const int Seed = 20_250_602;

    private const int Count = 10_000;

    [Fact]
    public async Task AnyRoute_AnswersTheExactEnvelopeWithoutLeaks_WhenSentTenThousandHostileRequests()
    {
        await using var host = new ReliabilityHost().Start();
        using var client = host.Client(token: null);
        var fuzzer = new RequestFuzzer(Seed);
        var judge = new FuzzJudge();
        var clock = Stopwatch.StartNew();

        // The expensive ones first, one at a time: multi-megabyte bodies, 10,000 levels of nesting, huge queries.
        var heavy = fuzzer.HeavyCases();
        foreach (var heavyCase in heavy)
        {
            await judge.SendAsync(client, heavyCase);
        }

        var heavyElapsed = clock.Elapsed;
        var next = -1;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < Count)
            {
                await judge.SendAsync(client, fuzzer.Case(index));
            }
        }));
        await Task.WhenAll(workers);
        clock.Stop();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{judge.Sent} requests ({heavy.Count} heavy in {heavyElapsed.TotalSeconds:F1} s) in {clock.Elapsed.TotalSeconds:F1} s; {judge.Targets.Count} error targets"));
        foreach (var (answer, count) in judge.Answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {answer}: {count}");
        }

        WriteServerErrors(host);
        Assert.True(judge.Failures.Count == 0, judge.Report(Seed.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(Count + heavy.Count, judge.Sent);
        Assert.Equal(judge.Sent, judge.Answered);
        Assert.True(judge.Targets.Count > Count / 2, $"only {judge.Targets.Count} errors: the fuzzer is too tame");

        // Every target the clients got is in exactly one log entry, and nothing at Error level was logged: no 500, nothing escaped.
        Assert.Empty(LogAudit.OneEntryPerTarget(host.Logs.Entries, judge.Targets));
        Assert.Empty(LogAudit.UnexpectedErrors(host.Logs.Entries).Select(r => $"{r.Category} {r.EventId} {r.Message} {r.Exception}"));

        // And the server is still fine: a normal read and a normal write succeed.
        using var admin = host.Client();
        var machine = await admin.GetAsync($"/api/machines/{SeedData.MacId}");
        Assert.Equal(HttpStatusCode.OK, machine.StatusCode);
        Assert.Contains(SeedData.MacId, await machine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var indicator = await admin.PostAsync("/api/indicators", new StringContent(
            """{"indicatorValue":"after-fuzz.contoso.example","indicatorType":"DomainName","action":"Alert","title":"t","description":"d"}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, indicator.StatusCode);

        // Bounded under hostile writes: whatever the fuzz stored is within the field limits, so the list stays small.
        var read = Stopwatch.StartNew();
        var list = await admin.GetAsync("/api/indicators?$count=true");
        var bytes = await list.Content.ReadAsByteArrayAsync();
        read.Stop();
        using var stored = System.Text.Json.JsonDocument.Parse(bytes);
        var value = stored.RootElement.GetProperty("value").EnumerateArray().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GET /api/indicators after the fuzz: {stored.RootElement.GetProperty("@odata.count").GetInt32()} indicators, {bytes.Length:N0} bytes, {read.Elapsed.TotalMilliseconds:F0} ms"));
        Assert.All(value, i =>
        {
            Assert.InRange(i.GetProperty("indicatorValue").GetString()!.Length, 1, Endpoints.FieldLimits.IndicatorValue);
            Assert.InRange(i.GetProperty("title").GetString()!.Length, 1, Endpoints.FieldLimits.Title);
            Assert.InRange(i.GetProperty("description").GetString()!.Length, 1, Endpoints.FieldLimits.Description);
        });
    }

    [Fact]
    public async Task BodyRoutes_AnswerTheExactEnvelope_WhenRealChunkedBodiesArriveOverKestrel()
    {
        await using var host = new ReliabilityHost(kestrel: true).Start();
        using var client = host.Client(token: null);
        var fuzzer = new RequestFuzzer(Seed + 1);
        var judge = new FuzzJudge();

        // Real Transfer-Encoding: chunked on a socket: every body case of the generator, chunked in uneven pieces.
        var cases = Enumerable.Range(0, 1_200).Select(fuzzer.Case).Where(c => c.Body is not null).Take(600)
            .Select(c => c with { Chunked = true }).ToList();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) => await judge.SendAsync(client, c));

        WriteServerErrors(host);
        Assert.True(judge.Failures.Count == 0, judge.Report((Seed + 1).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(cases.Count, judge.Answered);
        Assert.Empty(LogAudit.OneEntryPerTarget(host.Logs.Entries, judge.Targets));

        // Odd chunk framing: Kestrel reports the broken ones to the application while it reads the body (400 BadRequest) and
        // skips a long chunk extension (the body is then "{}": MissingRequiredParameter). Either way, the exact envelope.
        string[] framings =
        [
            "zz\r\n{}\r\n0\r\n\r\n",                       // a chunk size that is not hex
            "2\r\n{}XX0\r\n\r\n",                          // no CRLF after the chunk data
            "FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",       // a chunk size that overflows
            "2;" + new string('e', 20_000) + "\r\n{}\r\n0\r\n\r\n", // a 20,000-character chunk extension
        ];
        foreach (var framing in framings)
        {
            var (status, headers, body) = await RawAsync(host.Address,
                $"POST /api/machines/{SeedData.LabWindowsId}/isolate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dev-admin\r\n" +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + framing);
            Assert.Equal(400, status);
            Assert.Contains("Cache-Control: no-store", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Content-Type-Options: nosniff", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Null(StrictEnvelope.ParseStrict(body, out var error));
            output.WriteLine($"{framing[..Math.Min(24, framing.Length)].ReplaceLineEndings("|")}: {status} {error.Code} \"{error.Message}\"");
            Assert.True(StrictEnvelope.StatusFits(HttpStatusCode.BadRequest, error.Code), error.Code);
            Assert.Null(StrictEnvelope.FindLeak(Encoding.UTF8.GetString(body), framing));
        }

        Assert.Empty(LogAudit.UnexpectedErrors(host.Logs.Entries).Select(r => $"{r.Category} {r.EventId} {r.Message} {r.Exception}"));
        using var admin = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/machines/{SeedData.MacId}")).StatusCode);
    }

    // A 500 is a finding: say what threw, so the report points at the cause.
    private void WriteServerErrors(ReliabilityHost host)
    {
        foreach (var record in host.Logs.Entries.Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Take(5))
        {
            output.WriteLine($"{record.Category} {record.EventId}: {record.Message}\n{record.Exception}");
        }
    }

    /// <summary>Sends bytes as they are and reads until the server closes: status, header block and body.</summary>
    internal static async Task<(int Status, string Headers, byte[] Body)> RawAsync(Uri address, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        var stream = socket.GetStream();
        var bytes = Encoding.Latin1.GetBytes(request.Replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n", StringComparison.Ordinal));
        await stream.WriteAsync(bytes);
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(received, timeout.Token);
        var all = received.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(split > 0, "no complete response: " + Encoding.Latin1.GetString(all));
        var head = Encoding.Latin1.GetString(all, 0, split);
        var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
        return (status, head, all[(split + 4)..]);
    }
}
