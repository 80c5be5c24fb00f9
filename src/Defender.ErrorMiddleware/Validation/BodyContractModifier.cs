using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// The body contract as System.Text.Json contract customization, added to the resolver of the JSON options the binders read
/// with (minimal APIs and MVC): the framework's own deserialization of the body is the only read, and a broken contract
/// surfaces there as one <see cref="BodyContractException"/> whose <see cref="JsonException.Path"/> the serializer fills in.
/// </summary>
/// <remarks>
/// Required members (C# <c>required</c>, <c>[JsonRequired]</c>, <c>[Required]</c>, constructor parameters that are neither
/// optional nor nullable): a member that does not admit null is checked once the object is built
/// (<see cref="JsonTypeInfo.OnDeserialized"/>), so a missing member and an explicit <c>null</c> are one failure with the
/// member's JSON name; a required value-type or nullable member is the serializer's own required check. Members the type does
/// not know reach a sink posing as extension data: a wrong-case name of a required member is refused there with the hint, and
/// in strict mode (<see cref="DefenderErrorOptions.RejectUnknownBodyMembers"/>) any unknown member is. Nothing is added to a
/// type that has no required member (and, outside strict mode, nothing at all to it), nor to one with its own extension data.
/// </remarks>
internal sealed class BodyContractModifier
{
    private readonly bool _strict;

    internal BodyContractModifier(bool strict) => _strict = strict;

    internal void Modify(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || info.PolymorphismOptions is not null || info.Properties.Any(static p => p.IsExtensionData)
            || (info.CreateObject is null && !info.Properties.Any(static p => p.AssociatedParameter is not null)))
        {
            // Not an object the serializer builds from members (or its unknown members have a home already).
            return;
        }

        List<JsonPropertyInfo>? nullChecked = null;
        List<JsonPropertyInfo>? required = null;
        foreach (var property in info.Properties)
        {
            if (!IsRequired(property))
            {
                continue;
            }

            (required ??= []).Add(property);
            if (property.Get is not null && RejectsNull(property))
            {
                // Checked on the built object instead: missing and null are one answer, with the member's name.
                property.IsRequired = false;
                (nullChecked ??= []).Add(property);
            }
            else if (property.Set is not null)
            {
                // The serializer refuses a required member it cannot set (a get-only property filled by the constructor).
                property.IsRequired = true;
            }
        }

        if (nullChecked is not null)
        {
            var members = nullChecked.Select(static p => (p.Name, Get: p.Get!)).ToArray();
            var previous = info.OnDeserialized;
            info.OnDeserialized = value =>
            {
                foreach (var (name, get) in members)
                {
                    if (get(value) is null)
                    {
                        throw new BodyContractException(BodyContractFailure.MissingMember, name, found: null);
                    }
                }

                previous?.Invoke(value);
            };
        }

        if (required is null && !_strict)
        {
            return;
        }

        var sink = new UnknownMemberSink([.. (required ?? []).Select(static p => (p.Name, p.Get))], _strict);
        var extension = CreateExtensionProperty(info);
        extension.IsExtensionData = true;
        extension.Get = sink.For;
        extension.Set = static (_, _) => { };
        extension.ShouldSerialize = static (_, _) => false;
        info.Properties.Add(extension);
    }

    /// <summary>The sink's property, typed as the dictionary the serializer adds unknown members to.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The property type's metadata comes from BodyContractJsonContext, chained into every resolver this modifier is added to.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above: source-generated metadata, no runtime code generation.")]
    private static JsonPropertyInfo CreateExtensionProperty(JsonTypeInfo info) =>
        info.CreateJsonPropertyInfo(typeof(IDictionary<string, object>), "\0unknown");

    /// <summary>
    /// Required: C# <c>required</c> and <c>[JsonRequired]</c> (the serializer's own flag), <c>[Required]</c>, and constructor
    /// parameters that are neither nullable nor optional.
    /// </summary>
    private static bool IsRequired(JsonPropertyInfo property) =>
        property.IsRequired
        || property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true
        || property.AssociatedParameter is { IsMemberInitializer: false, HasDefaultValue: false, IsNullable: false }
        || property.AssociatedParameter?.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;

    /// <summary>A required member whose type (or <c>[Required]</c>) does not admit null; value types are the serializer's.</summary>
    private static bool RejectsNull(JsonPropertyInfo property) =>
        (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null)
        && (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true
            || (property.AssociatedParameter is { } parameter ? !parameter.IsNullable : !property.IsSetNullable));
}

internal enum BodyContractFailure
{
    /// <summary>A required member is missing or null (<see cref="BodyContractException.Member"/>, relative to the object's path).</summary>
    MissingMember,

    /// <summary>A required member was sent in another case (<see cref="BodyContractException.Found"/>, the path ends with it).</summary>
    WrongCaseMember,

    /// <summary>A member the type does not know, in strict mode (the path ends with it).</summary>
    UnknownMember,
}

/// <summary>
/// A body that breaks the contract, thrown from the serializer's own callbacks so the binder reports it like any other
/// <see cref="JsonException"/>, with the path the serializer filled in. Its message is never shown to clients.
/// </summary>
internal sealed class BodyContractException : JsonException
{
    internal BodyContractException(BodyContractFailure failure, string member, string? found)
        : base("The request body does not meet its contract.")
    {
        Failure = failure;
        Member = member;
        Found = found;
    }

    internal BodyContractFailure Failure { get; }

    /// <summary>The member's JSON name (the contract's).</summary>
    internal string Member { get; }

    /// <summary>The name the client sent.</summary>
    internal string? Found { get; }
}

/// <summary>
/// Where the serializer puts the members a type does not know (it takes it for extension data). A wrong-case name of a
/// required member that is not set is refused with the hint; in strict mode any other unknown member is refused; otherwise
/// the value is dropped. One per type; nothing is stored.
/// </summary>
internal sealed class UnknownMemberSink : IDictionary<string, object>
{
    private readonly (string Name, Func<object, object?>? Get)[] _required;
    private readonly bool _strict;

    internal UnknownMemberSink((string Name, Func<object, object?>? Get)[] required, bool strict)
    {
        _required = required;
        _strict = strict;
    }

    [ThreadStatic]
    private static object? t_owner;

    /// <summary>The serializer asks the object for its extension data right before adding to it, in the same synchronous step.</summary>
    internal object? For(object owner)
    {
        t_owner = owner;
        return this;
    }

    public object this[string key]
    {
        get => throw new KeyNotFoundException();
        set => Add(key, value);
    }

    public void Add(string key, object value)
    {
        var owner = t_owner;
        t_owner = null;
        foreach (var (name, get) in _required)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && !string.Equals(key, name, StringComparison.Ordinal)
                && (get is null || owner is null || get(owner) is null))
            {
                throw new BodyContractException(BodyContractFailure.WrongCaseMember, name, key);
            }
        }

        if (_strict)
        {
            throw new BodyContractException(BodyContractFailure.UnknownMember, key, key);
        }
    }

    public ICollection<string> Keys => [];

    public ICollection<object> Values => [];

    public int Count => 0;

    public bool IsReadOnly => false;

    public void Add(KeyValuePair<string, object> item) => Add(item.Key, item.Value);

    public void Clear()
    {
    }

    public bool Contains(KeyValuePair<string, object> item) => false;

    public bool ContainsKey(string key) => false;

    public void CopyTo(KeyValuePair<string, object>[] array, int arrayIndex)
    {
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, object>>().GetEnumerator();

    public bool Remove(string key) => false;

    public bool Remove(KeyValuePair<string, object> item) => false;

    public bool TryGetValue(string key, out object value)
    {
        value = null!;
        return false;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Metadata for the sink's declared type, so the modifier works over source-generated and trimmed contracts too.</summary>
[JsonSerializable(typeof(IDictionary<string, object>))]
internal sealed partial class BodyContractJsonContext : JsonSerializerContext;
