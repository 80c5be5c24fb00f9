using System.Globalization;
using System.Text;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>
/// How the spec documents each template (the name of each format item) and a realistic example of it: documentation, read by
/// the OpenAPI packages and the generated docs/error-codes.md, so not part of the Contracts package's public catalog. Shared
/// source (src/Shared), compiled as an internal type into the OpenApi and Swashbuckle packages; statuses and templates stay
/// the catalog's (<see cref="DefenderErrorCatalog"/>), this only names and fills their format items.
/// </summary>
internal static class DefenderErrorDocumentation
{
    /// <summary>What each format item of the code's template stands for, as the spec names it, and a sample value for each.</summary>
    internal static (string[] Placeholders, string[] Examples) Of(DefenderErrorCode code) => code switch
    {
        DefenderErrorCode.ODataError => (["the specific error"], ["Could not find a property named 'nosuch' on type 'Machine'."]),
        DefenderErrorCode.InvalidInput => (["the invalid input"], ["abc"]),
        DefenderErrorCode.InvalidHashValue => (["the invalid hash"], ["abc123"]),
        DefenderErrorCode.InvalidDomainName => (["the invalid domain"], ["bad..example"]),
        DefenderErrorCode.InvalidIpAddress => (["the invalid IP"], ["10.0.0.256"]),
        DefenderErrorCode.InvalidUrl => (["the invalid URL"], ["htp:/example"]),
        DefenderErrorCode.MaximumBatchSizeExceeded => (["batch size received", "batch size allowed"], ["501", "500"]),
        DefenderErrorCode.MissingRequiredParameter => (["the missing parameter"], ["Comment"]),
        DefenderErrorCode.OsPlatformNotSupported => (["the client OS Platform"], ["Linux"]),
        DefenderErrorCode.ClientVersionNotSupported => (["the requested action", "supported client version"], ["Isolate", "10.8040"]),
        DefenderErrorCode.DisallowedOperation => (["the disallowed operation and the reason"], ["Machine 123 is already isolated."]),
        DefenderErrorCode.ResourceNotFound => (["the requested resource"], ["Machine 123123123"]),
        _ => ([], []),
    };

    /// <summary>The template with each format item replaced by its placeholder in angle brackets, as the spec writes it.</summary>
    internal static string DocumentedTemplate(DefenderErrorDescriptor descriptor)
    {
        var text = descriptor.Template;
        var placeholders = Of(descriptor.Code).Placeholders;
        for (var i = 0; i < placeholders.Length; i++)
        {
            text = text.Replace("{" + i.ToString(CultureInfo.InvariantCulture) + "}", "<" + placeholders[i] + ">", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A realistic message: the template filled with the sample values, or the default message when it has no items.</summary>
    internal static string ExampleMessage(DefenderErrorDescriptor descriptor)
    {
        var examples = Of(descriptor.Code).Examples;
        return examples.Length == 0
            ? descriptor.GetDefaultMessage(DefenderMessagePreset.Microsoft365Defender)
            : string.Format(CultureInfo.InvariantCulture, CompositeFormat.Parse(descriptor.Template), [.. examples]);
    }
}
