using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>
/// The one place that knows each documented code's HTTP status and message templates (in both published wordings).
/// Everything above it (the error factories, the server's writer, the OpenAPI packages, clients, the generated
/// <c>docs/error-codes.md</c>) reads it; it reads nothing but the enum.
/// </summary>
public static class DefenderErrorCatalog
{
    private static readonly DefenderErrorDescriptor[] Descriptors =
    [
        new(DefenderErrorCode.BadRequest, 400,
            "General Bad Request error message.", "General Bad Request error message."),
        new(DefenderErrorCode.ODataError, 400, "Invalid OData URI query: {0}", "Invalid OData URI query."),
        new(DefenderErrorCode.InvalidInput, 400, "Invalid input {0}.", "Invalid input."),
        new(DefenderErrorCode.InvalidRequestBody, 400, "Invalid request body.", "Invalid request body."),
        new(DefenderErrorCode.InvalidHashValue, 400, "Hash value {0} is invalid.", "Hash value is invalid."),
        new(DefenderErrorCode.InvalidDomainName, 400, "Domain name {0} is invalid.", "Domain name is invalid."),
        new(DefenderErrorCode.InvalidIpAddress, 400, "IP address {0} is invalid.", "IP address is invalid."),
        new(DefenderErrorCode.InvalidUrl, 400, "URL {0} is invalid.", "URL is invalid."),
        new(DefenderErrorCode.MaximumBatchSizeExceeded, 400,
            "Maximum batch size exceeded. Received: {0}, allowed: {1}.", "Maximum batch size exceeded."),
        new(DefenderErrorCode.MissingRequiredParameter, 400,
            "Parameter {0} is missing.", "A required parameter is missing."),
        new(DefenderErrorCode.OsPlatformNotSupported, 400,
            "OS Platform {0} is not supported for this action.", "OS Platform is not supported for this action."),
        new(DefenderErrorCode.ClientVersionNotSupported, 400,
            "{0} is supported on client version {1} and above.", "The requested action is not supported on this client version."),
        new(DefenderErrorCode.Unauthorized, 401, "Unauthorized", "Unauthorized",
            threatProtectionMessage: "Unauthorized (usually invalid or expired authorization header)."),
        new(DefenderErrorCode.Forbidden, 403, "Forbidden", "Forbidden",
            threatProtectionMessage: "Forbidden (valid token but insufficient permission for the action)."),
        new(DefenderErrorCode.DisabledFeature, 403, "Tenant feature is not enabled.", "Tenant feature is not enabled."),
        new(DefenderErrorCode.DisallowedOperation, 403, "{0}", "The operation is not allowed."),
        new(DefenderErrorCode.NotFound, 404, "General Not Found error message.", "General Not Found error message."),
        new(DefenderErrorCode.ResourceNotFound, 404, "Resource {0} was not found.", "Resource was not found."),
        // The current document says "no error message"; the older one words the advice as the message.
        new(DefenderErrorCode.InternalServerError, 500, "", "",
            threatProtectionMessage: "No error message, retry the operation or contact us if it does not get resolved."),
    ];

    /// <summary>The spec's example wording for a typed resource: <c>Machine 123123123 was not found</c>.</summary>
    internal static readonly CompositeFormat TypedResourceNotFound = CompositeFormat.Parse("{0} {1} was not found");

    private static readonly FrozenDictionary<string, DefenderErrorDescriptor> ByName =
        Descriptors.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Every documented code, in the spec's order (the order of <see cref="DefenderErrorCode"/>).</summary>
    public static ReadOnlySpan<DefenderErrorDescriptor> All => Descriptors;

    /// <summary>The catalog row of a documented code.</summary>
    /// <param name="code">The code.</param>
    /// <returns>Its status, name and message templates.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of <see cref="DefenderErrorCode"/>.</exception>
    public static DefenderErrorDescriptor Get(DefenderErrorCode code) =>
        (uint)code < (uint)Descriptors.Length ? Descriptors[(int)code] : throw new ArgumentOutOfRangeException(nameof(code), code, "Not a documented code.");

    /// <summary>The code's name as written in the envelope and the <c>x-ms-error-code</c> header, e.g. <c>ResourceNotFound</c>.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name (the enum member's name, without allocating).</returns>
    public static string Name(DefenderErrorCode code) => Get(code).Name;

    /// <summary>Finds a documented code by its name, case-sensitively (as clients compare codes).</summary>
    /// <param name="name">The name, e.g. <c>InvalidInput</c>.</param>
    /// <param name="descriptor">The catalog row, when the name is documented.</param>
    /// <returns>Whether the name is one of the documented codes.</returns>
    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DefenderErrorDescriptor? descriptor)
    {
        if (name is null)
        {
            descriptor = null;
            return false;
        }

        return ByName.TryGetValue(name, out descriptor);
    }

    /// <summary>
    /// Formats a code's documented template, e.g. <c>Hash value {0} is invalid.</c>; each argument is made safe to echo first
    /// (see <see cref="EchoSanitizer"/>). Missing arguments are an error of the caller.
    /// </summary>
    /// <param name="code">The code whose template is used.</param>
    /// <param name="arguments">The template's values, in order (at most two: no template has more).</param>
    /// <returns>The message.</returns>
    public static string Format(DefenderErrorCode code, params ReadOnlySpan<string?> arguments) =>
        Format(Get(code).MessageFormat, arguments);

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
