using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Defender.ErrorMiddleware.OData;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// A filtered, ordered page of machines in SQLite (<c>healthStatus eq 'Active' and startswith(computerDnsName,'ws')</c>,
/// <c>lastSeen desc</c>, <c>$top=100</c>) through the OData endpoint (Microsoft.AspNetCore.OData via
/// <c>ToDefenderResult</c>) against the same query written by hand in EF Core LINQ, both over real HTTP on loopback.
/// The ratio is the target (median ≥ 0.9× the hand-written throughput, allocations ≤ 1.3×, standard deviation ≤ 2×); two
/// table sizes show that the memory a request allocates does not grow with the table. A third case sends a query text the
/// endpoint has not seen (a new <c>n=</c> each request), so it pays the library's parsing, validation and binding every time.
/// Runs in process (the server is in this process anyway; no second build that a busy machine can time out), 20 iterations:
/// <c>dotnet run -c Release --project test/Defender.ErrorMiddleware.Benchmarks -- --filter *ODataQuery*</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ODataQueryBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Throughput)
            .WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20));
    }

    private const string Query = "$filter=healthStatus eq 'Active' and startswith(computerDnsName,'ws')&$orderby=lastSeen desc&$top=100";

    private WebApplication _app = null!;
    private SqliteConnection _connection = null!;
    private HttpClient _client = null!;
    private string _odataUrl = null!;
    private int _queryText;

    [Params(10_000, 100_000)]
    public int Machines { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _connection = new SqliteConnection("DataSource=:memory:");
        _connection.Open();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDefenderErrors();
        builder.Services.AddDefenderOData();
        builder.Services.AddDbContext<BenchmarkDb>(o => o.UseSqlite(_connection));

        _app = builder.Build();
        _app.UseDefenderErrors();
        _app.MapGet("/odata/machines", (ODataQueryOptions<BenchmarkMachine> query, BenchmarkDb db) =>
            query.ToDefenderResult(db.Machines.AsNoTracking(), "api/$metadata#Machines"));
        _app.MapGet("/linq/machines", async (BenchmarkDb db, CancellationToken cancellationToken) =>
        {
            var page = await db.Machines.AsNoTracking()
                .Where(m => m.HealthStatus == "Active" && m.ComputerDnsName.StartsWith("ws"))
                .OrderByDescending(m => m.LastSeen).ThenBy(m => m.Id)
                .Take(100)
                .ToListAsync(cancellationToken);
            return Results.Ok(new BenchmarkPage { Context = "api/$metadata#Machines", Value = page });
        });

        using (var scope = _app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchmarkDb>();
            db.Database.EnsureCreated();
            Seed(_connection, Machines);
        }

        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        _odataUrl = "/odata/machines?" + string.Join("&", Query.Split('&').Select(p => p[..(p.IndexOf('=', StringComparison.Ordinal) + 1)]
            + Uri.EscapeDataString(p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..])));

        // Both answer the same page, or the comparison means nothing.
        var odata = await _client.GetStringAsync(_odataUrl);
        var linq = await _client.GetStringAsync("/linq/machines");
        if (Count(odata) != 100 || Count(linq) != 100 || Count(await _client.GetStringAsync(NewQueryTextUrl())) != 100)
        {
            throw new InvalidOperationException("The two endpoints do not answer a full page: " + odata[..Math.Min(200, odata.Length)]);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "hand-written EF Core LINQ")]
    public Task<byte[]> HandWritten() => _client.GetByteArrayAsync("/linq/machines");

    [Benchmark(Description = "OData endpoint")]
    public Task<byte[]> OData() => _client.GetByteArrayAsync(_odataUrl);

    [Benchmark(Description = "OData endpoint, a query text not seen before")]
    public Task<byte[]> ODataNewQueryText() => _client.GetByteArrayAsync(NewQueryTextUrl());

    /// <summary>The same query with a parameter the query ignores but its text includes.</summary>
    public string NewQueryTextUrl() => _odataUrl + "&n=" + Interlocked.Increment(ref _queryText).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The three requests interleaved (hand-written, OData, OData with a new query text, rotating the order each round) for
    /// <paramref name="duration"/>: on a busy machine the load drifts between BenchmarkDotNet's cases, here every case sees
    /// the same moments. Prints each one's median, mean and standard deviation and the medians' ratios
    /// (<c>odata-compare seconds [machines]</c>).
    /// </summary>
    public static async Task CompareAsync(TimeSpan duration, int machines)
    {
        var benchmarks = new ODataQueryBenchmarks { Machines = machines };
        await benchmarks.SetupAsync();
        (string Name, Func<Task<byte[]>> Send, List<double> Micros, long[] Bytes)[] cases =
        [
            ("hand-written", benchmarks.HandWritten, [], [0]),
            ("OData", benchmarks.OData, [], [0]),
            ("OData, new query text", benchmarks.ODataNewQueryText, [], [0]),
        ];
        for (var i = 0; i < 100; i++)
        {
            foreach (var c in cases)
            {
                await c.Send();
            }
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; watch.Elapsed < duration; round++)
        {
            for (var j = 0; j < cases.Length; j++)
            {
                var c = cases[(round + j) % cases.Length];
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                await c.Send();
                c.Micros.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                c.Bytes[0] += GC.GetTotalAllocatedBytes(precise: true) - allocated;
            }
        }

        var baseline = Median(cases[0].Micros);
        foreach (var c in cases)
        {
            var mean = c.Micros.Average();
            var sd = Math.Sqrt(c.Micros.Sum(m => (m - mean) * (m - mean)) / (c.Micros.Count - 1));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {machines:N0} | {c.Name} | {c.Micros.Count} | {Median(c.Micros):F0} µs | {mean:F0} µs | {sd:F0} µs | {baseline / Median(c.Micros):F2}× | {c.Bytes[0] / c.Micros.Count / 1024.0:F1} KB |"));
        }

        await benchmarks.CleanupAsync();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Sends one kind of request in a loop for a profiler to watch (<c>odata-profile linq|odata|new seconds [machines]</c>).</summary>
    public static async Task ProfileAsync(string kind, TimeSpan duration, int machines)
    {
        var benchmarks = new ODataQueryBenchmarks { Machines = machines };
        await benchmarks.SetupAsync();
        Func<Task<byte[]>> request = kind switch
        {
            "linq" => benchmarks.HandWritten,
            "odata" => benchmarks.OData,
            "new" => benchmarks.ODataNewQueryText,
            _ => throw new ArgumentException("linq, odata or new", nameof(kind)),
        };
        for (var i = 0; i < 200; i++)
        {
            await request();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm: process {Environment.ProcessId}"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        while (watch.Elapsed < duration)
        {
            await request();
            count++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {count} requests, {watch.Elapsed.TotalMicroseconds / count:F0} µs and {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / count / 1024.0:F1} KB (client and server) each"));
        await benchmarks.CleanupAsync();
    }

    private static int Count(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("value").GetArrayLength();

    /// <summary>One prepared INSERT in one transaction: a third of the machines active, half of the names "ws-…".</summary>
    private static void Seed(SqliteConnection connection, int count)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO Machines (Id, ComputerDnsName, HealthStatus, OsPlatform, RiskScore, LastSeen) VALUES ($id, $name, $health, $os, $risk, $seen)";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var name = command.Parameters.Add("$name", SqliteType.Text);
        var health = command.Parameters.Add("$health", SqliteType.Text);
        var os = command.Parameters.Add("$os", SqliteType.Text);
        var risk = command.Parameters.Add("$risk", SqliteType.Text);
        var seen = command.Parameters.Add("$seen", SqliteType.Text);
        var start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string[] states = ["Active", "Inactive", "ImpairedCommunication"];
        for (var i = 0; i < count; i++)
        {
            id.Value = i.ToString("x40", CultureInfo.InvariantCulture);
            name.Value = (i % 2 == 0 ? "ws-" : "srv-") + i.ToString(CultureInfo.InvariantCulture) + ".contoso.local";
            health.Value = states[i % 3];
            os.Value = i % 5 == 0 ? "Linux" : "Windows11";
            risk.Value = (i % 4) switch { 0 => "None", 1 => "Low", 2 => "Medium", _ => "High" };
            // EF Core's SQLite format for DateTime, so the hand-written query and the OData one read the same column.
            seen.Value = start.AddMinutes(i * 7 % 500_000).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}

/// <summary>A machine as the sample stores it (strings as Defender writes them).</summary>
public sealed class BenchmarkMachine
{
    public string Id { get; set; } = "";

    public string ComputerDnsName { get; set; } = "";

    public string HealthStatus { get; set; } = "";

    public string OsPlatform { get; set; } = "";

    public string RiskScore { get; set; } = "";

    public DateTime LastSeen { get; set; }
}

/// <summary>The hand-written list shape.</summary>
public sealed class BenchmarkPage
{
    [System.Text.Json.Serialization.JsonPropertyName("@odata.context")]
    public required string Context { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("value")]
    public required List<BenchmarkMachine> Value { get; init; }
}

public sealed class BenchmarkDb(DbContextOptions<BenchmarkDb> options) : DbContext(options)
{
    public DbSet<BenchmarkMachine> Machines => Set<BenchmarkMachine>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<BenchmarkMachine>().ToTable("Machines").HasIndex(m => new { m.HealthStatus, m.LastSeen });
    }
}
