using BenchmarkDotNet.Attributes;
using Defender.ErrorMiddleware.Internal;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// The envelope's bytes alone, written straight into the response against the serializer's path that every envelope with
/// something to escape still takes (docs/performance.md, "Second pass"). The response writes to <see cref="Stream.Null"/>,
/// the same for both, so the difference is the writing of the bytes.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBodyBenchmarks
{
    private static readonly ResolvedError Error = new(404, "ResourceNotFound", "Machine 42 was not found");
    private static readonly Guid Target = Guid.NewGuid();
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup() => _context = new DefaultHttpContext { Response = { Body = Stream.Null } };

    [Benchmark(Baseline = true, Description = "serialized (Utf8JsonWriter, envelope objects, copy)")]
    public Task Serialized()
    {
        DefenderErrorWriter.WriteSerializedBody(_context.Response, Error, Target);
        return _context.Response.BodyWriter.FlushAsync().AsTask();
    }

    [Benchmark(Description = "written straight into the response")]
    public Task Direct()
    {
        DefenderErrorWriter.TryWriteUnescapedBody(_context.Response, Error, Target);
        return _context.Response.BodyWriter.FlushAsync().AsTask();
    }
}
