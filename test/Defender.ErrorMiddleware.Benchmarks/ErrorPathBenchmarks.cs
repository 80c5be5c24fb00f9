using BenchmarkDotNet.Attributes;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>Each request path in each configuration, over real HTTP on loopback. Compare rows of one run only.</summary>
[MemoryDiagnoser]
public class ErrorPathBenchmarks
{
    private BenchmarkApp _app = null!;

    [Params(ErrorHandling.None, ErrorHandling.BuiltIn, ErrorHandling.Precomputed, ErrorHandling.Defender)]
    public ErrorHandling Handling { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _app = await BenchmarkApp.StartAsync(Handling);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark(Description = "success")]
    public Task<int> Success() => SendAsync(HttpMethod.Get, "/api/machines/ok");

    [Benchmark(Description = "thrown → 404")]
    public Task<int> Thrown() => SendAsync(HttpMethod.Get, "/api/machines/throw");

    [Benchmark(Description = "result → 404")]
    public Task<int> Result() => SendAsync(HttpMethod.Get, "/api/machines/result");

    [Benchmark(Description = "valid body → 201")]
    public Task<int> ValidBody() => SendAsync(HttpMethod.Post, "/api/machines/isolate", Requests.ValidBody);

    [Benchmark(Description = "malformed JSON → 400")]
    public Task<int> Malformed() => SendAsync(HttpMethod.Post, "/api/machines/isolate", Requests.MalformedBody);

    [Benchmark(Description = "wrong-case body → 400")]
    public Task<int> WrongCase() => SendAsync(HttpMethod.Post, "/api/machines/isolate", Requests.WrongCaseBody);

    [Benchmark(Description = "valid body, authorized → 201")]
    public Task<int> AuthorizedValidBody() => SendAsync(HttpMethod.Post, "/api/secured/isolate", Requests.ValidBody);

    [Benchmark(Description = "wrong-case body, authorized → 400")]
    public Task<int> AuthorizedWrongCase() => SendAsync(HttpMethod.Post, "/api/secured/isolate", Requests.WrongCaseBody);

    [Benchmark(Description = "unknown route → 404")]
    public Task<int> UnknownRoute() => SendAsync(HttpMethod.Get, "/api/nothing/here");

    private async Task<int> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = Requests.Create(method, path, body);
        using var response = await _app.Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode + bytes.Length;
    }
}
