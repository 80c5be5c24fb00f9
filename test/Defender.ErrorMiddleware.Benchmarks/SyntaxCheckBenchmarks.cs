using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Defender.ErrorMiddleware.Validation;

namespace Defender.ErrorMiddleware.Benchmarks;

/// <summary>
/// The body's syntax check on its own: System.Text.Json's reader (what <c>UseDefenderErrors()</c> runs before binding)
/// against the serializer's exception (what the framework pays to find the same problem).
/// </summary>
[MemoryDiagnoser]
public class SyntaxCheckBenchmarks
{
    private static readonly byte[] Malformed = Encoding.UTF8.GetBytes(Requests.MalformedBody);
    private static readonly byte[] Valid = Encoding.UTF8.GetBytes(Requests.ValidBody);

    [Benchmark]
    public bool ReaderMalformed() => JsonSyntaxValidator.TryValidate(Malformed, 64, out _);

    [Benchmark]
    public bool ReaderValid() => JsonSyntaxValidator.TryValidate(Valid, 64, out _);

    [Benchmark]
    public bool SerializerMalformed()
    {
        try
        {
            JsonSerializer.Deserialize(Malformed, BenchmarkJsonContext.Default.IsolateRequest);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
