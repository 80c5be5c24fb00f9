using System.Diagnostics;
using System.Globalization;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// A bounded load run on 127.0.0.1: every configuration serves the same paths, alternating in rounds so that
/// machine noise hits them all alike, and the ratios are computed from medians of one run.
/// </summary>
internal static class LoadComparison
{
    private const int Concurrency = 16;

    private static readonly (string Name, HttpMethod Method, string Path, string? Body)[] Scenarios =
    [
        ("success", HttpMethod.Get, "/api/machines/ok", null),
        ("thrown → 404", HttpMethod.Get, "/api/machines/throw", null),
        ("result → 404", HttpMethod.Get, "/api/machines/result", null),
        ("valid body → 201", HttpMethod.Post, "/api/machines/isolate", Requests.ValidBody),
        ("malformed JSON → 400", HttpMethod.Post, "/api/machines/isolate", Requests.MalformedBody),
        ("wrong-case body → 400", HttpMethod.Post, "/api/machines/isolate", Requests.WrongCaseBody),
        ("valid body, authorized → 201", HttpMethod.Post, "/api/secured/isolate", Requests.ValidBody),
        ("wrong-case body, authorized → 400", HttpMethod.Post, "/api/secured/isolate", Requests.WrongCaseBody),
        ("unknown route → 404", HttpMethod.Get, "/api/nothing/here", null),
    ];

    /// <summary>Runs the rows whose name contains one of <paramref name="only"/> (all rows, and the sweep, when empty).</summary>
    public static async Task RunAsync(TimeSpan roundLength, int rounds, string[] only)
    {
        var scenarios = only.Length == 0 ? Scenarios : [.. Scenarios.Where(s => only.Any(o => s.Name.Contains(o, StringComparison.OrdinalIgnoreCase)))];
        var handlings = Enum.GetValues<ErrorHandling>();
        var apps = new Dictionary<ErrorHandling, BenchmarkApp>();
        foreach (var handling in handlings)
        {
            apps[handling] = await BenchmarkApp.StartAsync(handling);
        }

        // What each configuration answers, so a row is never a rate of unintended responses (a 401, a 500).
        foreach (var scenario in scenarios)
        {
            var statuses = new List<string>();
            foreach (var handling in handlings)
            {
                using var request = Requests.Create(scenario.Method, scenario.Path, scenario.Body);
                using var response = await apps[handling].Client.SendAsync(request);
                statuses.Add($"{handling} {(int)response.StatusCode}");
            }

            Console.WriteLine($"{scenario.Name}: {string.Join(", ", statuses)}");
        }

        var results = new Dictionary<(string, ErrorHandling), List<double>>();
        var cpu = new Dictionary<(string, ErrorHandling), List<double>>();
        var exceptions = new Dictionary<(string, ErrorHandling), double>();

        // Every exception thrown in the servers' process (the clients run in their own): what each kind of request costs in
        // exceptions, beside its time.
        long thrown = 0;
        AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref thrown);
        using var loadClient = LoadClientProcess.Start();
        Console.WriteLine($"load: {Concurrency} concurrent clients, {roundLength.TotalSeconds:0.#} s per cell, {rounds} rounds, {Environment.ProcessorCount} cores");
        for (var round = 0; round < rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                // Alternate the order each round so no configuration always runs first or last.
                var order = round % 2 == 0 ? handlings : [.. handlings.Reverse()];
                foreach (var handling in order)
                {
                    var address = apps[handling].Client.BaseAddress!;
                    var index = Array.IndexOf(Scenarios, scenario);
                    await loadClient.RunAsync(address, index, TimeSpan.FromSeconds(0.3), Concurrency);
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var thrownBefore = Interlocked.Read(ref thrown);
                    var (count, seconds) = await loadClient.RunAsync(address, index, roundLength, Concurrency);
                    count = Math.Max(count, 1);
                    var rate = count / seconds;
                    var cpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / count;
                    exceptions[(scenario.Name, handling)] = (double)(Interlocked.Read(ref thrown) - thrownBefore) / count;
                    if (!results.TryGetValue((scenario.Name, handling), out var list))
                    {
                        results[(scenario.Name, handling)] = list = [];
                        cpu[(scenario.Name, handling)] = [];
                    }

                    list.Add(rate);
                    cpu[(scenario.Name, handling)].Add(cpuPerRequest);
                }
            }
        }

        var sweep = only.Length == 0 ? await ConcurrencySweepAsync(apps, roundLength, rounds) : [];
        foreach (var app in apps.Values)
        {
            await app.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine("| path | none req/s | built-in req/s | precomputed req/s | Defender req/s | Defender ÷ built-in | Defender ÷ none | Defender ÷ precomputed |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            double Median(ErrorHandling h) => MedianOf(results[(scenario.Name, h)]);

            var none = Median(ErrorHandling.None);
            var builtIn = Median(ErrorHandling.BuiltIn);
            var precomputed = Median(ErrorHandling.Precomputed);
            var defender = Median(ErrorHandling.Defender);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {scenario.Name} | {none:0} | {builtIn:0} | {precomputed:0} | {defender:0} | {defender / builtIn:0.00} | {defender / none:0.00} | {defender / precomputed:0.00} |"));
        }

        // The servers' process CPU time per request (the clients run in their own process): unlike a rate, it does not move
        // with what else the machine runs.
        Console.WriteLine();
        Console.WriteLine("| path | built-in server CPU µs/request | Defender server CPU µs/request | built-in ÷ Defender |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            double Median(ErrorHandling h) => MedianOf(cpu[(scenario.Name, h)]);

            var builtIn = Median(ErrorHandling.BuiltIn);
            var defender = Median(ErrorHandling.Defender);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {scenario.Name} | {builtIn:0.0} | {defender:0.0} | {builtIn / defender:0.00} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| path | exceptions/request none | built-in | precomputed | Defender |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            double Thrown(ErrorHandling h) => exceptions[(scenario.Name, h)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {scenario.Name} | {Thrown(ErrorHandling.None):0.##} | {Thrown(ErrorHandling.BuiltIn):0.##} | {Thrown(ErrorHandling.Precomputed):0.##} | {Thrown(ErrorHandling.Defender):0.##} |"));
        }

        if (sweep.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("| result → 404 at concurrency | built-in req/s | precomputed req/s | Defender req/s | Defender ÷ built-in | Defender ÷ precomputed |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (concurrency, builtIn, precomputed, defender) in sweep)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {concurrency} | {builtIn:0} | {precomputed:0} | {defender:0} | {defender / builtIn:0.00} | {defender / precomputed:0.00} |"));
        }
    }

    /// <summary>The non-throwing error path at growing concurrency, the three error-writing configurations side by side.</summary>
    private static async Task<List<(int Concurrency, double BuiltIn, double Precomputed, double Defender)>> ConcurrencySweepAsync(
        Dictionary<ErrorHandling, BenchmarkApp> apps, TimeSpan roundLength, int rounds)
    {
        var scenario = Scenarios.Single(s => s.Path == "/api/machines/result");
        var rows = new List<(int, double, double, double)>();
        foreach (var concurrency in new[] { 1, 4, 16, 64 })
        {
            var samples = new Dictionary<ErrorHandling, List<double>>
            {
                [ErrorHandling.BuiltIn] = [],
                [ErrorHandling.Precomputed] = [],
                [ErrorHandling.Defender] = [],
            };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var handling in round % 2 == 0 ? samples.Keys.ToArray() : [.. samples.Keys.Reverse()])
                {
                    await MeasureAsync(apps[handling].Client, scenario, TimeSpan.FromSeconds(0.2), concurrency);
                    samples[handling].Add(await MeasureAsync(apps[handling].Client, scenario, roundLength / 2, concurrency));
                }
            }

            double Median(ErrorHandling h) => MedianOf(samples[h]);
            rows.Add((concurrency, Median(ErrorHandling.BuiltIn), Median(ErrorHandling.Precomputed), Median(ErrorHandling.Defender)));
        }

        return rows;
    }

    private static async Task<double> MeasureAsync(
        HttpClient client, (string Name, HttpMethod Method, string Path, string? Body) scenario, TimeSpan duration, int concurrency = Concurrency) =>
        (await MeasureCountAsync(client, scenario, duration, concurrency)).Rate;

    internal static (string Name, HttpMethod Method, string Path, string? Body) Scenario(int index) => Scenarios[index];

    private static double MedianOf(List<double> values) => values.Order().ElementAt(values.Count / 2);

    internal static async Task<(double Rate, long Count)> MeasureCountAsync(
        HttpClient client, (string Name, HttpMethod Method, string Path, string? Body) scenario, TimeSpan duration, int concurrency)
    {
        long count = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration)
            {
                using var request = Requests.Create(scenario.Method, scenario.Path, scenario.Body);

                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref count);
            }
        });
        await Task.WhenAll(workers);
        return (count / stopwatch.Elapsed.TotalSeconds, Math.Max(count, 1));
    }
}
