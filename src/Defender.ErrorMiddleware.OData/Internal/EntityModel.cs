using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.OData.Edm;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>One serialized property of the entity: its JSON name, CLR property and EDM property.</summary>
internal sealed record EntityProperty(string Name, PropertyInfo Property, IEdmStructuralProperty EdmProperty);

/// <summary>
/// The EDM model of one CLR type, built from the property names the API serializes, so a query names properties
/// exactly as the client sees them in responses. Built once per type and <see cref="JsonSerializerOptions"/>.
/// </summary>
internal sealed class EntityModel
{
    private const string Namespace = "Default";

    private static readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentDictionary<Type, EntityModel>> Cache = [];

    private readonly Dictionary<IEdmProperty, EntityProperty> _byEdmProperty;
    private readonly Dictionary<IEdmType, Type> _enumTypes;

    private EntityModel(Type clrType, JsonSerializerOptions serializerOptions)
    {
        ClrType = clrType;
        SerializerOptions = serializerOptions;
        var model = new EdmModel();
        var entityType = new NamedEntityType(Namespace, EdmName(clrType));
        _byEdmProperty = new Dictionary<IEdmProperty, EntityProperty>(ReferenceEqualityComparer.Instance);
        _enumTypes = new Dictionary<IEdmType, Type>(ReferenceEqualityComparer.Instance);
        var enumsByClr = new Dictionary<Type, EdmEnumType>();
        var properties = new List<EntityProperty>();

        foreach (var jsonProperty in ContractOf(clrType, serializerOptions).Properties)
        {
            // [JsonIgnore] properties stay in the contract without a getter: never serialized, so never queryable.
            if (jsonProperty.Get is null
                || jsonProperty.AttributeProvider is not PropertyInfo { CanRead: true } property
                || property.GetMethod is not { IsPublic: true, IsStatic: false }
                || property.GetIndexParameters().Length != 0)
            {
                continue;
            }

            var underlying = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var nullable = !property.PropertyType.IsValueType || underlying != property.PropertyType;
            IEdmTypeReference? typeReference = null;
            if (underlying.IsEnum)
            {
                if (!enumsByClr.TryGetValue(underlying, out var enumType))
                {
                    enumType = CreateEnumType(underlying, model);
                    if (enumType is null)
                    {
                        continue;
                    }

                    enumsByClr[underlying] = enumType;
                    _enumTypes[enumType] = underlying;
                }

                typeReference = new EdmEnumTypeReference(enumType, nullable);
            }
            else if (EdmTypes.TryGetKind(underlying, out var kind))
            {
                typeReference = EdmCoreModel.Instance.GetPrimitive(kind, nullable);
            }

            // Collections, nested objects and types OData cannot compare are left out of the model: a query that names
            // them gets the parser's "Could not find a property" ODataError.
            if (typeReference is null || entityType.FindProperty(jsonProperty.Name) is not null)
            {
                continue;
            }

            var edmProperty = entityType.AddStructuralProperty(jsonProperty.Name, typeReference);
            var entry = new EntityProperty(jsonProperty.Name, property, edmProperty);
            _byEdmProperty[edmProperty] = entry;
            properties.Add(entry);
        }

        if (properties.FirstOrDefault(p => string.Equals(p.Name, "id", StringComparison.OrdinalIgnoreCase)) is { } key
            && !key.EdmProperty.Type.IsNullable)
        {
            entityType.AddKeys(key.EdmProperty);
        }

        model.AddElement(entityType);
        var container = new EdmEntityContainer(Namespace, "Container");
        EntitySet = container.AddEntitySet(entityType.Name, entityType);
        model.AddElement(container);

        Model = model;
        EntityType = entityType;
        Properties = properties;
    }

    public Type ClrType { get; }

    public JsonSerializerOptions SerializerOptions { get; }

    public IEdmModel Model { get; }

    public IEdmEntityType EntityType { get; }

    public IEdmEntitySet EntitySet { get; }

    /// <summary>The model's properties in serialization order.</summary>
    public IReadOnlyList<EntityProperty> Properties { get; }

    /// <summary>
    /// The type's object contract. When a converter claims the type (the core's required-member check does, for request
    /// bodies), the contract underneath it still names the properties as the API serializes them.
    /// </summary>
    private static JsonTypeInfo ContractOf(Type clrType, JsonSerializerOptions serializerOptions)
    {
        var typeInfo = serializerOptions.GetTypeInfo(clrType);
        if (typeInfo.Kind == JsonTypeInfoKind.Object)
        {
            return typeInfo;
        }

        var contractOptions = new JsonSerializerOptions(serializerOptions);
        for (var i = contractOptions.Converters.Count - 1; i >= 0; i--)
        {
            if (contractOptions.Converters[i].CanConvert(clrType))
            {
                contractOptions.Converters.RemoveAt(i);
            }
        }

        return contractOptions.GetTypeInfo(clrType);
    }

    public static EntityModel For(Type clrType, JsonSerializerOptions serializerOptions) =>
        Cache.GetValue(serializerOptions, static _ => new ConcurrentDictionary<Type, EntityModel>())
            .GetOrAdd(clrType, static (type, options) => new EntityModel(type, options), serializerOptions);

    public EntityProperty GetProperty(IEdmProperty property) =>
        _byEdmProperty.TryGetValue(property, out var entry)
            ? entry
            : throw ODataErrors.Create($"The property '{property.Name}' is not supported in a query.");

    public Type? GetEnumType(IEdmType edmType) => _enumTypes.GetValueOrDefault(edmType);

    private static EdmEnumType? CreateEnumType(Type enumType, EdmModel model)
    {
        var underlying = Enum.GetUnderlyingType(enumType);
        if (underlying == typeof(ulong) || !EdmTypes.TryGetKind(underlying, out var kind))
        {
            kind = EdmPrimitiveTypeKind.Int64;
        }

        var name = EdmName(enumType);
        for (var i = 2; model.FindDeclaredType(Namespace + "." + name) is not null; i++)
        {
            name = EdmName(enumType) + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var edmEnum = new EdmEnumType(Namespace, name, kind, enumType.IsDefined(typeof(FlagsAttribute), inherit: false));
        foreach (var field in enumType.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var value = field.GetRawConstantValue();
            if (value is ulong big && big > long.MaxValue)
            {
                return null;
            }

            edmEnum.AddMember(field.Name, new EdmEnumMemberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        model.AddElement(edmEnum);
        return edmEnum;
    }

    private static string EdmName(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    /// <summary>
    /// An entity type whose full name is its plain name, so parser messages read <c>on type 'Machine'</c>
    /// as Defender's do, not <c>on type 'Default.Machine'</c>.
    /// </summary>
    private sealed class NamedEntityType(string namespaceName, string name) : EdmEntityType(namespaceName, name), IEdmFullNamedElement
    {
        string IEdmFullNamedElement.FullName => Name;
    }
}
