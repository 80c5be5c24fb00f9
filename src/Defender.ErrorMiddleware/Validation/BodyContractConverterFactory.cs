using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Added to the request JSON options: claims the body types whose contract has something to check and, before the
/// serializer reads one, scans it (<see cref="BodyScanner"/>). A problem becomes a <see cref="DefenderException"/>, which
/// neither minimal APIs nor MVC's input formatter catch, so it reaches the writer with its exact message — one throw, and
/// the serializer never throws for it.
/// </summary>
/// <remarks>
/// The real reading is done with a copy of the options that lacks this factory (the "inner" options), so nested types are
/// not scanned twice. Without dynamic code (native AOT) the factory claims nothing and the serializer's own required-member
/// check applies.
/// </remarks>
internal sealed class BodyContractConverterFactory : JsonConverterFactory
{
    private readonly JsonSerializerOptions _outer;
    private readonly bool _strict;
    private readonly ConcurrentDictionary<Type, BodyContract?> _contracts = new();
    private JsonSerializerOptions? _inner;

    internal BodyContractConverterFactory(JsonSerializerOptions outer, bool strictMembers)
    {
        _outer = outer;
        _strict = strictMembers;
    }

    /// <summary>Whether unknown members are rejected (<see cref="DefenderErrorOptions.RejectUnknownBodyMembers"/>).</summary>
    internal bool Strict => _strict;

    /// <summary>The options that read and write the claimed types.</summary>
    internal JsonSerializerOptions Inner
    {
        get
        {
            if (_inner is null)
            {
                var inner = new JsonSerializerOptions(_outer);
                inner.Converters.Remove(this);
                Interlocked.CompareExchange(ref _inner, inner, null);
            }

            return _inner;
        }
    }

    internal BodyContract? GetContract(Type type) =>
        _contracts.TryGetValue(type, out var contract) ? contract : BodyContract.Build(Inner, type, _strict, _contracts);

    public override bool CanConvert(Type typeToConvert) =>
        RuntimeFeature.IsDynamicCodeSupported
        && !typeToConvert.IsPrimitive && typeToConvert != typeof(string)
        && GetContract(typeToConvert) is { NeedsScan: true, Kind: JsonTypeInfoKind.Object };

    [UnconditionalSuppressMessage("AotAnalysis", "IL3050",
        Justification = "CanConvert claims nothing unless RuntimeFeature.IsDynamicCodeSupported; without dynamic code this is never called.")]
    public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var contract = GetContract(typeToConvert)!;
        var typeInfo = Inner.GetTypeInfo(typeToConvert);
        var converterType = typeof(BodyContractConverter<>).MakeGenericType(typeToConvert);
        return (JsonConverter)converterType
            .GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)[0]
            .Invoke([typeInfo, contract, _strict]);
    }
}

/// <summary>Scans, then reads with the inner options; writes with the inner options unchanged.</summary>
internal sealed class BodyContractConverter<T> : JsonConverter<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly BodyContract _contract;
    private readonly bool _strict;

    internal BodyContractConverter(JsonTypeInfo typeInfo, BodyContract contract, bool strict)
    {
        _typeInfo = (JsonTypeInfo<T>)typeInfo;
        _contract = contract;
        _strict = strict;
    }

    public override bool HandleNull => false;

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // A custom converter is only called once the whole value is buffered, so a copy of the reader can look ahead.
        if (BodyScanner.TryFindError(reader, _contract, _strict, out var error))
        {
            throw new DefenderException(error);
        }

        return JsonSerializer.Deserialize(ref reader, _typeInfo);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, _typeInfo);
}
