using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Runs DataAnnotations over a bound model and returns the first failure as one Defender error. It walks the
/// serializer's contract (JSON names, getters that work under trimming), not reflection over the CLR type.
/// </summary>
/// <remarks>
/// Order, so the one error reported is stable: members in contract order; per member its attributes (<c>[Required]</c>,
/// then Defender's, then the rest by type name), then the values nested in it; an <see cref="IValidatableObject"/> after its
/// members. Depth is bounded by <see cref="MaxDepth"/>.
/// </remarks>
internal sealed class ModelValidator
{
    internal const int MaxDepth = 32;

    private readonly Func<JsonSerializerOptions> _contractOptions;
    private readonly ConcurrentDictionary<Type, ValidationPlan?> _plans = new();

    internal ModelValidator(Func<JsonSerializerOptions> contractOptions) => _contractOptions = contractOptions;

    /// <summary>Whether values of <paramref name="type"/> have anything to validate.</summary>
    internal bool NeedsValidation(Type type) => GetPlan(type) is { NeedsValidation: true };

    /// <summary>Validates one bound value (a parameter) with the parameter's own attributes, then the value's contents.</summary>
    internal bool TryValidate(object? value, string name, ValidationAttribute[] attributes, out DefenderError error)
    {
        foreach (var attribute in attributes)
        {
            if (!IsValid(attribute, value, null, name))
            {
                error = DefenderAttributeSupport.ErrorFor(attribute, value, name);
                return false;
            }
        }

        error = default;
        return value is null || GetPlan(value.GetType()) is not { NeedsValidation: true } plan || Validate(value, plan, new MemberPath(), 0, ref error);
    }

    private static bool Validate(object value, ValidationPlan plan, MemberPath path, int depth, ref DefenderError error)
    {
        if (depth > MaxDepth)
        {
            return true;
        }

        if (plan.Element is { NeedsValidation: true } element && value is IEnumerable enumerable)
        {
            // Dictionaries: only the values are validated (non-generic IDictionary reads them without reflection).
            var items = plan.IsDictionary ? (value as IDictionary)?.Values ?? (IEnumerable)Array.Empty<object>() : enumerable;
            var index = 0;
            foreach (var itemValue in items)
            {
                if (itemValue is not null)
                {
                    path.PushIndex(index);
                    if (!Validate(itemValue, element, path, depth + 1, ref error))
                    {
                        return false;
                    }

                    path.Pop();
                }

                index++;
            }

            return true;
        }

        foreach (var member in plan.Members)
        {
            var memberValue = member.Get(value);
            foreach (var attribute in member.Attributes)
            {
                if (!IsValid(attribute, memberValue, value, member.Name))
                {
                    error = DefenderAttributeSupport.ErrorFor(attribute, memberValue, path.Join(member.Name));
                    return false;
                }
            }

            if (memberValue is not null && member.Nested is { NeedsValidation: true } nested)
            {
                path.PushName(member.Name);
                if (!Validate(memberValue, nested, path, depth + 1, ref error))
                {
                    return false;
                }

                path.Pop();
            }
        }

        if (value is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(value, plan.TypeName, null, null)))
            {
                if (result != ValidationResult.Success)
                {
                    error = result is DefenderValidationResult defender
                        ? defender.Error
                        : DefenderError.InvalidInput(path.Join(result.MemberNames.FirstOrDefault() ?? plan.TypeName));
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsValid(ValidationAttribute attribute, object? value, object? container, string name)
    {
        if (attribute is IDefenderValidationAttribute defender)
        {
            return defender.TryValidate(value, out _);
        }

        var context = new ValidationContext(container ?? value ?? string.Empty, name, null, null) { MemberName = name };
        return attribute.GetValidationResult(value, context) == ValidationResult.Success;
    }

    private ValidationPlan? GetPlan(Type type) =>
        _plans.TryGetValue(type, out var plan) ? plan : ContractGraph.Build(type, _contractOptions(), _plans,
            (current, info) => new ValidationPlan(current.Name, info.Kind == JsonTypeInfoKind.Dictionary, typeof(IValidatableObject).IsAssignableFrom(current)),
            Populate);

    private static void Populate(ValidationPlan plan, JsonTypeInfo info, Func<Type, ValidationPlan?> build)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary when info.ElementType is { } elementType:
                plan.Element = build(elementType);
                break;
            case JsonTypeInfoKind.Object:
                var members = new List<ValidationMember>();
                foreach (var property in info.Properties)
                {
                    if (property.Get is not { } get)
                    {
                        continue;
                    }

                    var attributes = Attributes(property.AttributeProvider)
                        .Concat(Attributes(property.AssociatedParameter?.AttributeProvider));
                    var ordered = DefenderAttributeSupport.Order(attributes.Distinct());
                    var nested = build(property.PropertyType);
                    if (ordered.Length > 0 || nested is not null)
                    {
                        members.Add(new ValidationMember(property.Name, get, ordered, nested));
                    }
                }

                plan.Members = [.. members];
                break;
        }
    }

    internal static IEnumerable<ValidationAttribute> Attributes(System.Reflection.ICustomAttributeProvider? provider) =>
        provider is null ? [] : provider.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Cast<ValidationAttribute>();

    private sealed class ValidationPlan(string typeName, bool isDictionary, bool isValidatable) : ContractNode<ValidationPlan>
    {
        internal string TypeName { get; } = typeName;

        internal bool IsDictionary { get; } = isDictionary;

        internal ValidationMember[] Members { get; set; } = [];

        internal ValidationPlan? Element { get; set; }

        internal bool NeedsValidation => Needs;

        protected override bool NeedsItself => isValidatable || Members.Any(m => m.Attributes.Length > 0);

        protected override IEnumerable<ValidationPlan?> Children => Members.Select(m => m.Nested).Append(Element);
    }

    private sealed record ValidationMember(string Name, Func<object, object?> Get, ValidationAttribute[] Attributes, ValidationPlan? Nested);
}

/// <summary>A <see cref="ValidationResult"/> that carries its Defender error; made by <see cref="DefenderValidators.ToValidationResult"/>.</summary>
internal sealed class DefenderValidationResult : ValidationResult
{
    internal DefenderValidationResult(DefenderError error, IEnumerable<string>? memberNames)
        : base(error.Message, memberNames) => Error = error;

    internal DefenderError Error { get; }
}
