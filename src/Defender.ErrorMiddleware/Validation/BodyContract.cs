using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// What the body check needs to know about one JSON type, read from the serializer's own contract
/// (so names follow the naming policy and <c>[JsonPropertyName]</c>): its members, which are required, and the
/// contracts of nested objects and collection items.
/// </summary>
internal sealed class BodyContract
{
    private BodyContract(JsonTypeInfoKind kind) => Kind = kind;

    internal JsonTypeInfoKind Kind { get; }

    /// <summary>Object members in contract order (declaration order unless <c>[JsonPropertyOrder]</c>).</summary>
    internal BodyMember[] Members { get; private set; } = [];

    /// <summary>Indexes into <see cref="Members"/> of the required ones, in order.</summary>
    internal int[] Required { get; private set; } = [];

    /// <summary>The contract of collection items or dictionary values.</summary>
    internal BodyContract? Element { get; private set; }

    /// <summary>Whether scanning a value of this type can find anything (required members here or below, or strict members).</summary>
    internal bool NeedsScan { get; private set; }

    /// <summary>
    /// Builds the contract graph for <paramref name="type"/>, or <see langword="null"/> when the type is not an object,
    /// collection or dictionary the serializer handles itself (custom converters, primitives, polymorphic types).
    /// </summary>
    internal static BodyContract? Build(JsonSerializerOptions options, Type type, bool strictMembers, ConcurrentDictionary<Type, BodyContract?> cache)
    {
        var building = new Dictionary<Type, BodyContract?>();
        var contract = BuildCore(options, type, strictMembers, building, cache);
        foreach (var built in building.Values)
        {
            built?.ComputeNeedsScan(strictMembers, []);
        }

        foreach (var pair in building)
        {
            cache.TryAdd(pair.Key, pair.Value);
        }

        return contract;
    }

    private static BodyContract? BuildCore(
        JsonSerializerOptions options, Type type, bool strict, Dictionary<Type, BodyContract?> building, ConcurrentDictionary<Type, BodyContract?> cache)
    {
        if (cache.TryGetValue(type, out var cached))
        {
            return cached;
        }

        if (building.TryGetValue(type, out var inProgress))
        {
            return inProgress;
        }

        if (IsLeaf(type))
        {
            building[type] = null;
            return null;
        }

        JsonTypeInfo info;
        try
        {
            info = options.GetTypeInfo(type);
        }
#pragma warning disable CA1031 // A type the serializer cannot handle is simply not checked here; binding reports it.
        catch (Exception)
#pragma warning restore CA1031
        {
            building[type] = null;
            return null;
        }

        if (info.Kind == JsonTypeInfoKind.None || info.PolymorphismOptions is not null)
        {
            building[type] = null;
            return null;
        }

        var contract = new BodyContract(info.Kind);
        building[type] = contract;
        if (info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary)
        {
            contract.Element = info.ElementType is { } element ? BuildCore(options, element, strict, building, cache) : null;
            return contract;
        }

        var members = new List<BodyMember>(info.Properties.Count);
        var required = new List<int>();
        foreach (var property in info.Properties)
        {
            if (property.Set is null && property.AssociatedParameter is null && !property.IsExtensionData)
            {
                continue;
            }

            if (property.IsExtensionData)
            {
                // Unknown members land in the extension data: none is unknown to this type.
                contract.HasExtensionData = true;
                continue;
            }

            var value = property.CustomConverter is null ? BuildCore(options, property.PropertyType, strict, building, cache) : null;
            var isRequired = IsRequired(property);
            if (isRequired)
            {
                required.Add(members.Count);
            }

            members.Add(new BodyMember(property.Name, System.Text.Encoding.UTF8.GetBytes(property.Name), isRequired, value,
                RejectsNull: isRequired && RejectsNull(property)));
        }

        contract.Members = [.. members];
        contract.Required = [.. required];
        contract.CaseInsensitive = options.PropertyNameCaseInsensitive;
        return contract;
    }

    internal bool HasExtensionData { get; private set; }

    internal bool CaseInsensitive { get; private set; }

    /// <summary>
    /// Required: C# <c>required</c> and <c>[JsonRequired]</c> (the serializer's own flag), <c>[Required]</c>, and constructor
    /// parameters that are neither nullable nor optional.
    /// </summary>
    private static bool IsRequired(JsonPropertyInfo property)
    {
        if (property.IsRequired)
        {
            return true;
        }

        if (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
        {
            return true;
        }

        return property.AssociatedParameter is { IsMemberInitializer: false, HasDefaultValue: false, IsNullable: false } parameter
            || property.AssociatedParameter?.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
    }

    /// <summary>
    /// A required member whose type does not admit null (or that carries <c>[Required]</c>) is missing when the body sends
    /// <c>null</c>: <c>{"Comment":null}</c> must not slip through as a null that the handler never expects.
    /// </summary>
    private static bool RejectsNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true
        || (property.AssociatedParameter is { } parameter ? !parameter.IsNullable : !property.IsSetNullable);

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(object)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(JsonElement) || type == typeof(JsonDocument) || type == typeof(byte[])
        || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type)
        || Nullable.GetUnderlyingType(type) is { } underlying && IsLeaf(underlying);

    private bool ComputeNeedsScan(bool strict, HashSet<BodyContract> visiting)
    {
        if (_computed)
        {
            return NeedsScan;
        }

        var needs = Kind == JsonTypeInfoKind.Object && (Required.Length > 0 || (strict && !HasExtensionData));
        if (!visiting.Add(this))
        {
            // A cycle: this node's own answer is what the path back to it adds.
            return needs;
        }

        if (Element is { } element && element.ComputeNeedsScan(strict, visiting))
        {
            needs = true;
        }

        foreach (var member in Members)
        {
            if (member.Value is { } value && value.ComputeNeedsScan(strict, visiting))
            {
                needs = true;
            }
        }

        visiting.Remove(this);
        NeedsScan = needs;
        _computed = true;
        return needs;
    }

    private bool _computed;
}

internal sealed record BodyMember(string Name, byte[] Utf8Name, bool IsRequired, BodyContract? Value, bool RejectsNull = false);
