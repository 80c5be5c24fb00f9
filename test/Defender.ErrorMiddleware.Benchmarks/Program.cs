using BenchmarkDotNet.Running;
using Defender.ErrorMiddleware.Benchmarks;

// `dotnet run -c Release --project test/Defender.ErrorMiddleware.Benchmarks -- load [seconds-per-round] [rounds]`
// runs the side-by-side load comparison; anything else goes to BenchmarkDotNet (e.g. `--filter *`).
if (args.Length > 0 && args[0] == "load")
{
    var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
    var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
    await LoadComparison.RunAsync(TimeSpan.FromSeconds(seconds), rounds);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ErrorPathBenchmarks).Assembly).Run(args);
