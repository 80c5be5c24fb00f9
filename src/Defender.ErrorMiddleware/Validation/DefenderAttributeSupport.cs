using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
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
    /// The one error a failed attribute becomes: a Defender attribute its own error; an application's attribute that
    /// implements <see cref="Metadata.IDefenderErrorCodeSource"/> its code (the one the OpenAPI documents list);
    /// <c>[Required]</c> MissingRequiredParameter; anything else InvalidInput naming the member and what is wrong
    /// (<c>Invalid input Priority: 99 is not between 1 and 10.</c>).
    /// </summary>
    /// <param name="attribute">The attribute that failed.</param>
    /// <param name="value">The value it judged.</param>
    /// <param name="memberName">The member's name as the client writes it (JSON name and path, or the bound parameter name).</param>
    internal static DefenderError ErrorFor(ValidationAttribute attribute, object? value, string memberName)
    {
        if (attribute is IDefenderValidationAttribute defender && !defender.TryValidate(value, out var error))
        {
            return error;
        }

        if (attribute is Metadata.IDefenderErrorCodeSource { Code: var code })
        {
            // The code's template with the value when it takes exactly one; else the code's default message.
            var shown = Describe(value);
            return shown is not null && CompositeFormat.Parse(DefenderErrorCatalog.Get(code).Template).MinimumArgumentCount == 1
                ? new DefenderError(code, DefenderErrorCatalog.Format(code, shown))
                : new DefenderError(code);
        }

        if (attribute is RequiredAttribute)
        {
            return DefenderError.MissingRequiredParameter(memberName);
        }

        return DefenderError.InvalidInput(memberName + ": " + Reason(attribute, value));
    }

    /// <summary>What is wrong with the value, in the words of the attribute's rule.</summary>
    private static string Reason(ValidationAttribute attribute, object? value)
    {
        var shown = Describe(value);
        var isText = value is string;
        return attribute switch
        {
            RangeAttribute range when shown is not null => string.Create(CultureInfo.InvariantCulture, $"{shown} is not between {range.Minimum} and {range.Maximum}"),
            StringLengthAttribute length when value is string text && text.Length < length.MinimumLength => Count("shorter than", length.MinimumLength, "characters"),
            StringLengthAttribute length => Count("longer than", length.MaximumLength, "characters"),
            MaxLengthAttribute max => isText ? Count("longer than", max.Length, "characters") : Count("more than", max.Length, "items"),
            MinLengthAttribute min => isText ? Count("shorter than", min.Length, "characters") : Count("fewer than", min.Length, "items"),
            _ => shown is null ? "not valid" : shown + " is not valid",
        };

        static string Count(string comparison, int count, string unit) => string.Create(CultureInfo.InvariantCulture, $"{comparison} {count} {unit}");
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

    internal static IEnumerable<ValidationAttribute> Attributes(System.Reflection.ICustomAttributeProvider? provider) =>
        provider is null ? [] : provider.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Cast<ValidationAttribute>();
}

/// <summary>A <see cref="ValidationResult"/> that carries its Defender error; made by <see cref="DefenderValidators.ToValidationResult"/>.</summary>
internal sealed class DefenderValidationResult : ValidationResult
{
    internal DefenderValidationResult(DefenderError error, IEnumerable<string>? memberNames)
        : base(error.Message, memberNames) => Error = error;

    internal DefenderError Error { get; }
}
