using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>Implemented by the Defender attributes: the check that yields the documented error, not just a message.</summary>
internal interface IDefenderValidationAttribute : Metadata.IDefenderErrorCodeSource
{
    bool TryValidate(object? value, out DefenderError error);
}

/// <summary>Shared plumbing of the attributes, and the mapping of any DataAnnotations failure to one Defender error.</summary>
internal static class DefenderAttributeSupport
{
    /// <summary>DataAnnotations entry point: the failure's message is the Defender message, so MVC's ModelState reads the same text.</summary>
    internal static ValidationResult? ToResult(IDefenderValidationAttribute attribute, object? value, ValidationContext? context)
    {
        if (attribute.TryValidate(value, out var error))
        {
            return ValidationResult.Success;
        }

        return new ValidationResult(error.Message, context?.MemberName is { } member ? [member] : null);
    }

    internal static bool ValidateStrings<TAttribute>(
        object? value, TAttribute attribute, Func<TAttribute, string, bool> isValid, Func<string?, DefenderError> fail, out DefenderError error)
    {
        switch (value)
        {
            case null:
                break;
            case string text:
                if (!isValid(attribute, text))
                {
                    error = fail(text);
                    return false;
                }

                break;
            case IEnumerable items:
                foreach (var item in items)
                {
                    if (item is not null && (item is not string text || !isValid(attribute, text)))
                    {
                        error = fail(item as string ?? Convert.ToString(item, CultureInfo.InvariantCulture));
                        return false;
                    }
                }

                break;
            default:
                error = fail(Convert.ToString(value, CultureInfo.InvariantCulture));
                return false;
        }

        error = default;
        return true;
    }

    /// <summary>
    /// The one error a failed attribute becomes: a Defender attribute its own code, <c>[Required]</c> MissingRequiredParameter,
    /// anything else InvalidInput with the value (or, when the value cannot be shown, the member's name).
    /// </summary>
    internal static DefenderError ErrorFor(ValidationAttribute attribute, object? value, string memberName)
    {
        if (attribute is IDefenderValidationAttribute defender && !defender.TryValidate(value, out var error))
        {
            return error;
        }

        if (attribute is RequiredAttribute)
        {
            return DefenderError.MissingRequiredParameter(memberName);
        }

        return DefenderError.InvalidInput(Describe(value) ?? memberName);
    }

    /// <summary>A value's text for an InvalidInput message; <see langword="null"/> for values with no useful text (objects, collections).</summary>
    internal static string? Describe(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f when value.GetType().IsPrimitive || value is decimal or Enum or DateTime or DateTimeOffset or Guid or TimeSpan or DateOnly or TimeOnly =>
            f.ToString(null, CultureInfo.InvariantCulture),
        Uri u => u.OriginalString,
        _ => null,
    };

    /// <summary>Sorts a member's attributes so the one reported is stable: <c>[Required]</c>, then Defender's, then the rest by name.</summary>
    internal static ValidationAttribute[] Order(IEnumerable<ValidationAttribute> attributes)
    {
        var array = attributes.ToArray();
        if (array.Length > 1)
        {
            Array.Sort(array, static (a, b) =>
            {
                var rank = Rank(a).CompareTo(Rank(b));
                return rank != 0 ? rank : string.CompareOrdinal(a.GetType().FullName, b.GetType().FullName);
            });
        }

        return array;

        static int Rank(ValidationAttribute attribute) => attribute switch
        {
            RequiredAttribute => 0,
            IDefenderValidationAttribute => 1,
            _ => 2,
        };
    }

    internal static string Sanitize(string? value) => EchoSanitizer.Sanitize(value);
}
