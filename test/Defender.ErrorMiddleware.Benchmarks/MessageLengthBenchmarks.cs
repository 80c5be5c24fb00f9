using BenchmarkDotNet.Attributes;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>How the cost of one error grows with its message's length, ours against the built-in ProblemDetails.</summary>
[MemoryDiagnoser]
public class MessageLengthBenchmarks
{
    private BenchmarkApp _app = null!;

    [Params(ErrorHandling.BuiltIn, ErrorHandling.Defender)]
    public ErrorHandling Handling { get; set; }

    [Params(16, 256, 4096)]
    public int Length { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _app = await BenchmarkApp.StartAsync(Handling);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark(Description = "result with message → 400")]
    public async Task<int> Error()
    {
        using var response = await _app.Client.GetAsync($"/api/messages/{Length}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode + bytes.Length;
    }
}
