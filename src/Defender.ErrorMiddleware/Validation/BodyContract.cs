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
internal sealed class BodyContract : ContractNode<BodyContract>
{
    private readonly bool _strict;

    private BodyContract(JsonTypeInfoKind kind, bool strict)
    {
        Kind = kind;
        _strict = strict;
    }

    internal JsonTypeInfoKind Kind { get; }

    /// <summary>Object members in contract order (declaration order unless <c>[JsonPropertyOrder]</c>).</summary>
    internal BodyMember[] Members { get; private set; } = [];

    /// <summary>Indexes into <see cref="Members"/> of the required ones, in order.</summary>
    internal int[] Required { get; private set; } = [];

    /// <summary>The contract of collection items or dictionary values.</summary>
    internal BodyContract? Element { get; private set; }

    /// <summary>Whether scanning a value of this type can find anything (required members here or below, or strict members).</summary>
    internal bool NeedsScan => Needs;

    protected override bool NeedsItself => Kind == JsonTypeInfoKind.Object && (Required.Length > 0 || (_strict && !HasExtensionData));

    protected override IEnumerable<BodyContract?> Children => Members.Select(m => m.Value).Append(Element);

    /// <summary>
    /// Builds the contract graph for <paramref name="type"/>, or <see langword="null"/> when the type is not an object,
    /// collection or dictionary the serializer handles itself (custom converters, primitives, polymorphic types).
    /// </summary>
    internal static BodyContract? Build(JsonSerializerOptions options, Type type, bool strictMembers, ConcurrentDictionary<Type, BodyContract?> cache) =>
        ContractGraph.Build(type, options, cache,
            (_, info) => info.Kind == JsonTypeInfoKind.None || info.PolymorphismOptions is not null ? null : new BodyContract(info.Kind, strictMembers),
            (contract, info, build) => contract.Populate(info, options, build));

    private void Populate(JsonTypeInfo info, JsonSerializerOptions options, Func<Type, BodyContract?> build)
    {
        if (info.Kind is JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary)
        {
            Element = info.ElementType is { } element ? build(element) : null;
            return;
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
                HasExtensionData = true;
                continue;
            }

            var value = property.CustomConverter is null ? build(property.PropertyType) : null;
            var isRequired = IsRequired(property);
            if (isRequired)
            {
                required.Add(members.Count);
            }

            members.Add(new BodyMember(property.Name, System.Text.Encoding.UTF8.GetBytes(property.Name), isRequired, value,
                RejectsNull: isRequired && RejectsNull(property)));
        }

        Members = [.. members];
        Required = [.. required];
        CaseInsensitive = options.PropertyNameCaseInsensitive;
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
}

internal sealed record BodyMember(string Name, byte[] Utf8Name, bool IsRequired, BodyContract? Value, bool RejectsNull = false);
