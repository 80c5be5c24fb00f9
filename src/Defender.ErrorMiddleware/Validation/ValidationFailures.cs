using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// The framework validated and says where it failed — <c>AddValidation()</c>'s error keys, MVC's <c>ModelState</c> keys,
/// both a member path below a bound value (<c>Items[1].Domain</c>) and messages only. This follows the path through the
/// serializer's contract to the member that failed and lets that member's attributes decide the one Defender error (the rule
/// of <see cref="DefenderAttributeSupport.ErrorFor"/>), named by JSON name and path.
/// </summary>
internal static class ValidationFailures
{
    /// <param name="contract">The JSON options the value was bound with.</param>
    /// <param name="path">The failure's path below <paramref name="root"/>; empty for the bound value itself.</param>
    /// <param name="messages">The framework's messages, for a failure the attributes cannot explain.</param>
    /// <param name="root">The bound value (a parameter's argument).</param>
    /// <param name="rootAttributes">The parameter's own attributes, ordered.</param>
    /// <param name="rootName">The parameter's name as the client writes it.</param>
    internal static DefenderError Translate(
        JsonSerializerOptions contract, string path, string[] messages, object? root, ValidationAttribute[] rootAttributes, string rootName)
    {
        if (path.Length == 0)
        {
            return FirstFailure(rootAttributes, root, container: null, rootName) ?? ValidatableObjectError(root) ?? Fallback(rootName, messages);
        }

        object? container = null;
        var current = root;
        var jsonPath = new StringBuilder();
        ValidationAttribute[] attributes = [];
        foreach (var segment in path.Split('.'))
        {
            var (memberName, index) = Split(segment);
            if (current is null || !TryGetMember(contract, current, memberName, out var property))
            {
                // A path the contract does not describe (an IValidatableObject naming something else): report it as written.
                return Fallback(jsonPath.Length > 0 ? jsonPath + "." + segment : path, messages);
            }

            jsonPath.Append(jsonPath.Length > 0 ? "." : string.Empty).Append(property.Name);
            container = current;
            attributes = DefenderAttributeSupport.Order(DefenderAttributeSupport.Attributes(property.AttributeProvider)
                .Concat(DefenderAttributeSupport.Attributes(property.AssociatedParameter?.AttributeProvider)).Distinct());
            current = property.Get!(current);
            if (index is { } item)
            {
                jsonPath.Append('[').Append(item.ToString(CultureInfo.InvariantCulture)).Append(']');
                container = current;
                attributes = [];
                current = ElementAt(current, item);
            }
        }

        var name = jsonPath.ToString();
        return FirstFailure(attributes, current, container, name) ?? ValidatableObjectError(container) ?? Fallback(name, messages);
    }

    /// <summary>
    /// Where the member at <paramref name="path"/> stands in the contract's order: per segment the member's index (and the
    /// item's), so that, compared in sequence, the failure declared first sorts first whatever order a producer keeps its keys in.
    /// </summary>
    internal static int[] ContractOrder(JsonSerializerOptions contract, object? root, string path)
    {
        var order = new List<int>();
        var current = root;
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, item) = Split(segment);
            var properties = current is null ? null : RequestInputErrors.ContractOf(contract, current.GetType())?.Properties;
            var index = properties?.ToList().FindIndex(p => Names(p, name)) ?? -1;
            if (index < 0)
            {
                order.Add(int.MaxValue);
                break;
            }

            order.Add(index);
            current = properties![index].Get?.Invoke(current!);
            if (item is { } position)
            {
                order.Add(position);
                current = ElementAt(current, position);
            }
        }

        return [.. order];
    }

    /// <summary>A path segment as the framework keys it: a member's name, and an item's index (<c>Items[1]</c>).</summary>
    private static (string Name, int? Index) Split(string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? (segment, null)
            : (segment[..bracket], segment.EndsWith(']') && int.TryParse(segment.AsSpan()[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null);
    }

    /// <summary>The name the client uses for a parameter: <c>[FromQuery(Name = "…")]</c> and the like, else the parameter's.</summary>
    internal static string BoundName(ParameterInfo parameter)
    {
        foreach (var attribute in parameter.GetCustomAttributes(inherit: true))
        {
            var name = attribute switch
            {
                IFromQueryMetadata query => query.Name,
                IFromRouteMetadata route => route.Name,
                IFromHeaderMetadata header => header.Name,
                IFromFormMetadata form => form.Name,
                _ => null,
            };
            if (!string.IsNullOrEmpty(name))
            {
                return name;
            }
        }

        return parameter.Name ?? "body";
    }

    /// <summary>A member by the name the framework keyed it with: its CLR name (the default) or its JSON name.</summary>
    private static bool TryGetMember(JsonSerializerOptions contract, object value, string name, out JsonPropertyInfo property)
    {
        property = RequestInputErrors.ContractOf(contract, value.GetType())?.Properties.FirstOrDefault(p => p.Get is not null && Names(p, name))!;
        return property is not null;
    }

    private static bool Names(JsonPropertyInfo property, string name) =>
        property.Name == name || (property.AttributeProvider is MemberInfo member && member.Name == name);

    private static object? ElementAt(object? collection, int index) => collection switch
    {
        IList list => index < list.Count ? list[index] : null,
        IEnumerable enumerable => enumerable.Cast<object?>().Skip(index).FirstOrDefault(),
        _ => null,
    };

    private static DefenderError? FirstFailure(ValidationAttribute[] attributes, object? value, object? container, string name)
    {
        foreach (var attribute in attributes)
        {
            var failed = attribute is IDefenderValidationAttribute defender
                ? !defender.TryValidate(value, out _)
                : attribute.GetValidationResult(value, new ValidationContext(container ?? value ?? string.Empty, name, null, null) { MemberName = name }) != ValidationResult.Success;
            if (failed)
            {
                return DefenderAttributeSupport.ErrorFor(attribute, value, name);
            }
        }

        return null;
    }

    /// <summary>An <see cref="IValidatableObject"/> that reported the error itself, with <c>DefenderValidators.ToValidationResult</c>.</summary>
    private static DefenderError? ValidatableObjectError(object? container)
    {
        if (container is not IValidatableObject validatable)
        {
            return null;
        }

        foreach (var result in validatable.Validate(new ValidationContext(container, container.GetType().Name, null, null)))
        {
            if (result is DefenderValidationResult defender)
            {
                return defender.Error;
            }
        }

        return null;
    }

    private static DefenderError Fallback(string name, string[] messages) =>
        Internal.ProblemDetailsMapping.FromValidationErrors([new KeyValuePair<string, string[]>(name, messages)]) ?? DefenderError.InvalidInput(name);
}
