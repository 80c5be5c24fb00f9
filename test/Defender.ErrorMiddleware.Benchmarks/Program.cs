using BenchmarkDotNet.Running;
using Defender.ErrorMiddleware.Benchmarks;

// `dotnet run -c Release --project test/Defender.ErrorMiddleware.Benchmarks -- load [seconds-per-round] [rounds] [row,row...]`
// runs the side-by-side load comparison (only the rows whose names contain one of the given words, if any); anything else goes to BenchmarkDotNet (e.g. `--filter *`).
if (args.Length > 0 && args[0] == "load")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
    var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
    var only = args.Length > 3 ? args[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    await LoadComparison.RunAsync(TimeSpan.FromSeconds(seconds), rounds, only);
    return;
}

// The load script's clients, in a process of their own (LoadClientProcess).
if (args.Length > 0 && args[0] == "load-client")
{
    await LoadClientProcess.ServeAsync();
    return;
}

// `… -- odata-profile linq|odata|new [seconds] [machines]` sends one kind of ODataQuery request in a loop (for dotnet-trace).
if (args.Length > 1 && args[0] == "odata-profile")
{
    var seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
    var machines = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    await ODataQueryBenchmarks.ProfileAsync(args[1], TimeSpan.FromSeconds(seconds), machines);
    return;
}

// `… -- odata-compare [seconds] [machines]` interleaves the three ODataQuery requests and prints medians and ratios.
if (args.Length > 0 && args[0] == "odata-compare")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60;
    var machines = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    await ODataQueryBenchmarks.CompareAsync(TimeSpan.FromSeconds(seconds), machines);
    return;
}

// `… -- perf-units <perf script output>` prints each configuration's server CPU in units of identical work, from a perf
// recording of `load 1 16 thrown` (docs/performance.md, "Where the CPU goes, measured with perf").
if (args.Length > 1 && args[0] == "perf-units")
{
    PerfUnits.Print(args[1]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ErrorPathBenchmarks).Assembly).Run(args);
