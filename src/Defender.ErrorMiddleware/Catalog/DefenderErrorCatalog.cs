using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>
/// The one place that knows each documented code's HTTP status and message template.
/// Everything above it (factories, writer, OpenAPI packages, generated docs) reads it; it reads nothing but the enum.
/// </summary>
internal static class DefenderErrorCatalog
{
    private static readonly DefenderErrorDescriptor[] Descriptors =
    [
        new(DefenderErrorCode.BadRequest, StatusCodes.Status400BadRequest,
            "General Bad Request error message.", [], "General Bad Request error message."),
        new(DefenderErrorCode.ODataError, StatusCodes.Status400BadRequest,
            "Invalid OData URI query: {0}", ["the specific error"], "Invalid OData URI query.",
            ["Could not find a property named 'nosuch' on type 'Machine'."]),
        new(DefenderErrorCode.InvalidInput, StatusCodes.Status400BadRequest,
            "Invalid input {0}.", ["the invalid input"], "Invalid input.", ["abc"]),
        new(DefenderErrorCode.InvalidRequestBody, StatusCodes.Status400BadRequest,
            "Invalid request body.", [], "Invalid request body."),
        new(DefenderErrorCode.InvalidHashValue, StatusCodes.Status400BadRequest,
            "Hash value {0} is invalid.", ["the invalid hash"], "Hash value is invalid.", ["abc123"]),
        new(DefenderErrorCode.InvalidDomainName, StatusCodes.Status400BadRequest,
            "Domain name {0} is invalid.", ["the invalid domain"], "Domain name is invalid.", ["bad..example"]),
        new(DefenderErrorCode.InvalidIpAddress, StatusCodes.Status400BadRequest,
            "IP address {0} is invalid.", ["the invalid IP"], "IP address is invalid.", ["10.0.0.256"]),
        new(DefenderErrorCode.InvalidUrl, StatusCodes.Status400BadRequest,
            "URL {0} is invalid.", ["the invalid URL"], "URL is invalid.", ["htp:/example"]),
        new(DefenderErrorCode.MaximumBatchSizeExceeded, StatusCodes.Status400BadRequest,
            "Maximum batch size exceeded. Received: {0}, allowed: {1}.", ["batch size received", "batch size allowed"],
            "Maximum batch size exceeded.", ["501", "500"]),
        new(DefenderErrorCode.MissingRequiredParameter, StatusCodes.Status400BadRequest,
            "Parameter {0} is missing.", ["the missing parameter"], "A required parameter is missing.", ["Comment"]),
        new(DefenderErrorCode.OsPlatformNotSupported, StatusCodes.Status400BadRequest,
            "OS Platform {0} is not supported for this action.", ["the client OS Platform"],
            "OS Platform is not supported for this action.", ["Linux"]),
        new(DefenderErrorCode.ClientVersionNotSupported, StatusCodes.Status400BadRequest,
            "{0} is supported on client version {1} and above.", ["the requested action", "supported client version"],
            "The requested action is not supported on this client version.", ["Isolate", "10.8040"]),
        new(DefenderErrorCode.Unauthorized, StatusCodes.Status401Unauthorized,
            "Unauthorized", [], "Unauthorized",
            threatProtectionMessage: "Unauthorized (usually invalid or expired authorization header)."),
        new(DefenderErrorCode.Forbidden, StatusCodes.Status403Forbidden,
            "Forbidden", [], "Forbidden",
            threatProtectionMessage: "Forbidden (valid token but insufficient permission for the action)."),
        new(DefenderErrorCode.DisabledFeature, StatusCodes.Status403Forbidden,
            "Tenant feature is not enabled.", [], "Tenant feature is not enabled."),
        new(DefenderErrorCode.DisallowedOperation, StatusCodes.Status403Forbidden,
            "{0}", ["the disallowed operation and the reason"], "The operation is not allowed.",
            ["Machine 123 is already isolated."]),
        new(DefenderErrorCode.NotFound, StatusCodes.Status404NotFound,
            "General Not Found error message.", [], "General Not Found error message."),
        new(DefenderErrorCode.ResourceNotFound, StatusCodes.Status404NotFound,
            "Resource {0} was not found.", ["the requested resource"], "Resource was not found.", ["Machine 123123123"]),
        // The current document says "no error message"; the older one words the advice as the message.
        new(DefenderErrorCode.InternalServerError, StatusCodes.Status500InternalServerError,
            "", [], "",
            threatProtectionMessage: "No error message, retry the operation or contact us if it does not get resolved."),
    ];

    /// <summary>The spec's example wording for a typed resource: <c>Machine 123123123 was not found</c>.</summary>
    internal static readonly CompositeFormat TypedResourceNotFound = CompositeFormat.Parse("{0} {1} was not found");

    private static readonly FrozenDictionary<string, DefenderErrorDescriptor> ByName =
        Descriptors.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Every documented code, in the spec's order.</summary>
    internal static ReadOnlySpan<DefenderErrorDescriptor> All => Descriptors;

    internal static DefenderErrorDescriptor Get(DefenderErrorCode code) => Descriptors[(int)code];

    internal static string Name(DefenderErrorCode code) => Descriptors[(int)code].Name;

    internal static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DefenderErrorDescriptor? descriptor) =>
        ByName.TryGetValue(name, out descriptor);

    /// <summary>Formats a code's documented template; arguments are sanitized for echoing.</summary>
    internal static string Format(DefenderErrorCode code, params ReadOnlySpan<string?> arguments)
    {
        var descriptor = Descriptors[(int)code];
        return Format(descriptor.MessageFormat, arguments);
    }

    internal static string Format(CompositeFormat format, params ReadOnlySpan<string?> arguments)
    {
        return arguments.Length switch
        {
            0 => string.Format(CultureInfo.InvariantCulture, format, []),
            1 => string.Format(CultureInfo.InvariantCulture, format, EchoSanitizer.Sanitize(arguments[0])),
            _ => string.Format(CultureInfo.InvariantCulture, format,
                EchoSanitizer.Sanitize(arguments[0]), EchoSanitizer.Sanitize(arguments[1])),
        };
    }
}

/// <summary>One catalog row: the code, its status and its message template.</summary>
internal sealed class DefenderErrorDescriptor
{
    public DefenderErrorDescriptor(
        DefenderErrorCode code,
        int statusCode,
        string template,
        string[] placeholders,
        string defaultMessage,
        string[]? exampleArguments = null,
        string? threatProtectionMessage = null)
    {
        Code = code;
        Name = code.ToString();
        StatusCode = statusCode;
        Template = template;
        MessageFormat = CompositeFormat.Parse(template);
        Placeholders = placeholders;
        DefaultMessage = defaultMessage;
        ThreatProtectionDefaultMessage = threatProtectionMessage ?? defaultMessage;
        ExampleArguments = exampleArguments ?? [];
    }

    public DefenderErrorCode Code { get; }

    public string Name { get; }

    public int StatusCode { get; }

    /// <summary>The composite format, e.g. <c>Hash value {0} is invalid.</c></summary>
    public string Template { get; }

    public CompositeFormat MessageFormat { get; }

    /// <summary>What each format item stands for, as the spec names it (used for docs).</summary>
    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>The message used when the error carries none (Microsoft 365 Defender wording).</summary>
    public string DefaultMessage { get; }

    /// <summary>The message used when none is given, in the older Microsoft Threat Protection wording.</summary>
    public string ThreatProtectionDefaultMessage { get; }

    /// <summary>Sample arguments for examples in documentation and OpenAPI.</summary>
    public IReadOnlyList<string> ExampleArguments { get; }

    /// <summary>The template with each format item replaced by its placeholder in angle brackets, as the spec writes it.</summary>
    public string DocumentedTemplate
    {
        get
        {
            var text = Template;
            for (var i = 0; i < Placeholders.Count; i++)
            {
                text = text.Replace("{" + i.ToString(CultureInfo.InvariantCulture) + "}", "<" + Placeholders[i] + ">", StringComparison.Ordinal);
            }

            return text;
        }
    }

    /// <summary>A realistic message built from <see cref="ExampleArguments"/>.</summary>
    public string ExampleMessage =>
        Placeholders.Count == 0
            ? DefaultMessage
            : string.Format(CultureInfo.InvariantCulture, MessageFormat, [.. ExampleArguments]);

    public string GetDefaultMessage(DefenderMessagePreset preset) =>
        preset == DefenderMessagePreset.MicrosoftThreatProtection ? ThreatProtectionDefaultMessage : DefaultMessage;
}
