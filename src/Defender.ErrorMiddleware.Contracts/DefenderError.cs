using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Defender.ErrorMiddleware.Catalog;

namespace Defender.ErrorMiddleware;

/// <summary>
/// One error of the contract: a code and its message. On the server, throw it with <c>DefenderException</c>
/// or return it with <c>DefenderResults.Error(error)</c>; the HTTP status comes from the code.
/// </summary>
/// <remarks>
/// The factories build the documented message from their arguments. Arguments are echoed safely:
/// each is cut to 128 characters and its control characters are escaped.
/// </remarks>
public readonly struct DefenderError : IEquatable<DefenderError>
{
    private readonly DefenderErrorCode? _knownCode;

    /// <summary>Creates an error with a documented code.</summary>
    /// <param name="code">The documented code.</param>
    /// <param name="message">The message; <see langword="null"/> uses the code's default message (the server's <c>DefenderErrorOptions</c> choose the wording).</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped before the analyzer; the two overloads differ in the code's type, never ambiguous.")]
    public DefenderError(DefenderErrorCode code, string? message = null)
    {
        _knownCode = code;
        Code = DefenderErrorCatalog.Name(code);
        Message = message;
    }

    /// <summary>
    /// Creates an error with a code by name: a documented one, or one the application registered with
    /// <c>DefenderErrorOptions.AddErrorCode</c>.
    /// </summary>
    /// <param name="code">The code's name, case-sensitive (e.g. <c>ActiveRequestAlreadyExists</c>).</param>
    /// <param name="message">The message; <see langword="null"/> uses the code's default message.</param>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Shipped before the analyzer; the two overloads differ in the code's type, never ambiguous.")]
    public DefenderError(string code, string? message = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        _knownCode = DefenderErrorCatalog.TryGet(code, out var descriptor) ? descriptor.Code : null;
        Code = code;
        Message = message;
    }

    /// <summary>The code as written in the envelope.</summary>
    public string Code { get; }

    /// <summary>The documented code, or <see langword="null"/> for a code the application registered.</summary>
    public DefenderErrorCode? KnownCode => _knownCode;

    /// <summary>The message, or <see langword="null"/> for the code's default message.</summary>
    public string? Message { get; }

    /// <summary>400 BadRequest, with free text or the general message.</summary>
    public static DefenderError BadRequest(string? message = null) => new(DefenderErrorCode.BadRequest, message);

    /// <summary>400 ODataError: <c>Invalid OData URI query: &lt;reason&gt;</c>.</summary>
    /// <remarks>The reason is cut to 512 characters (not 128): it is the parser's explanation, which the client needs whole.</remarks>
    public static DefenderError ODataError(string reason) =>
        new(DefenderErrorCode.ODataError, string.Format(CultureInfo.InvariantCulture,
            DefenderErrorCatalog.Get(DefenderErrorCode.ODataError).MessageFormat, EchoSanitizer.Sanitize(reason, EchoSanitizer.MaxReasonLength)));

    /// <summary>400 InvalidInput: <c>Invalid input &lt;value&gt;.</c></summary>
    public static DefenderError InvalidInput(string? value) =>
        new(DefenderErrorCode.InvalidInput, DefenderErrorCatalog.Format(DefenderErrorCode.InvalidInput, value));

    /// <summary>400 InvalidRequestBody, with free text (say where the body is wrong) or the general message.</summary>
    public static DefenderError InvalidRequestBody(string? message = null) => new(DefenderErrorCode.InvalidRequestBody, message);

    /// <summary>400 InvalidHashValue: <c>Hash value &lt;hash&gt; is invalid.</c></summary>
    public static DefenderError InvalidHashValue(string? hash) =>
        new(DefenderErrorCode.InvalidHashValue, DefenderErrorCatalog.Format(DefenderErrorCode.InvalidHashValue, hash));

    /// <summary>400 InvalidDomainName: <c>Domain name &lt;domain&gt; is invalid.</c></summary>
    public static DefenderError InvalidDomainName(string? domain) =>
        new(DefenderErrorCode.InvalidDomainName, DefenderErrorCatalog.Format(DefenderErrorCode.InvalidDomainName, domain));

    /// <summary>400 InvalidIpAddress: <c>IP address &lt;address&gt; is invalid.</c></summary>
    public static DefenderError InvalidIpAddress(string? address) =>
        new(DefenderErrorCode.InvalidIpAddress, DefenderErrorCatalog.Format(DefenderErrorCode.InvalidIpAddress, address));

    /// <summary>400 InvalidUrl: <c>URL &lt;url&gt; is invalid.</c></summary>
    public static DefenderError InvalidUrl(string? url) =>
        new(DefenderErrorCode.InvalidUrl, DefenderErrorCatalog.Format(DefenderErrorCode.InvalidUrl, url));

    /// <summary>400 MaximumBatchSizeExceeded: <c>Maximum batch size exceeded. Received: &lt;received&gt;, allowed: &lt;allowed&gt;.</c></summary>
    public static DefenderError MaximumBatchSizeExceeded(long received, long allowed) =>
        new(DefenderErrorCode.MaximumBatchSizeExceeded, DefenderErrorCatalog.Format(
            DefenderErrorCode.MaximumBatchSizeExceeded,
            received.ToString(CultureInfo.InvariantCulture),
            allowed.ToString(CultureInfo.InvariantCulture)));

    /// <summary>400 MissingRequiredParameter: <c>Parameter &lt;name&gt; is missing.</c></summary>
    public static DefenderError MissingRequiredParameter(string parameter) =>
        new(DefenderErrorCode.MissingRequiredParameter, DefenderErrorCatalog.Format(DefenderErrorCode.MissingRequiredParameter, parameter));

    /// <summary>400 OsPlatformNotSupported: <c>OS Platform &lt;platform&gt; is not supported for this action.</c></summary>
    public static DefenderError OsPlatformNotSupported(string platform) =>
        new(DefenderErrorCode.OsPlatformNotSupported, DefenderErrorCatalog.Format(DefenderErrorCode.OsPlatformNotSupported, platform));

    /// <summary>400 ClientVersionNotSupported: <c>&lt;action&gt; is supported on client version &lt;version&gt; and above.</c></summary>
    public static DefenderError ClientVersionNotSupported(string action, string minimumVersion) =>
        new(DefenderErrorCode.ClientVersionNotSupported,
            DefenderErrorCatalog.Format(DefenderErrorCode.ClientVersionNotSupported, action, minimumVersion));

    /// <summary>401 Unauthorized, with the preset's message unless one is given.</summary>
    public static DefenderError Unauthorized(string? message = null) => new(DefenderErrorCode.Unauthorized, message);

    /// <summary>403 Forbidden, with the preset's message unless one is given.</summary>
    public static DefenderError Forbidden(string? message = null) => new(DefenderErrorCode.Forbidden, message);

    /// <summary>403 DisabledFeature: <c>Tenant feature is not enabled.</c>, or a message naming the feature.</summary>
    public static DefenderError DisabledFeature(string? message = null) => new(DefenderErrorCode.DisabledFeature, message);

    /// <summary>403 DisallowedOperation: the operation and the reason, e.g. <c>Machine 123 is already isolated.</c></summary>
    public static DefenderError DisallowedOperation(string operationAndReason) =>
        new(DefenderErrorCode.DisallowedOperation, DefenderErrorCatalog.Format(DefenderErrorCode.DisallowedOperation, operationAndReason));

    /// <summary>404 NotFound, with free text or the general message.</summary>
    public static DefenderError NotFound(string? message = null) => new(DefenderErrorCode.NotFound, message);

    /// <summary>404 ResourceNotFound: <c>Resource &lt;resource&gt; was not found.</c></summary>
    public static DefenderError ResourceNotFound(string resource) =>
        new(DefenderErrorCode.ResourceNotFound, DefenderErrorCatalog.Format(DefenderErrorCode.ResourceNotFound, resource));

    /// <summary>404 ResourceNotFound in the spec's example wording: <c>Machine 123123123 was not found</c>.</summary>
    public static DefenderError ResourceNotFound(string resourceType, string id) =>
        new(DefenderErrorCode.ResourceNotFound, DefenderErrorCatalog.Format(DefenderErrorCatalog.TypedResourceNotFound, resourceType, id));

    /// <summary>500 InternalServerError with the preset's message: never any detail of the failure.</summary>
    public static DefenderError InternalServerError() => new(DefenderErrorCode.InternalServerError);

    /// <inheritdoc/>
    public bool Equals(DefenderError other) =>
        string.Equals(Code, other.Code, StringComparison.Ordinal) && string.Equals(Message, other.Message, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DefenderError other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Code, Message);

    /// <summary>Returns <c>Code: Message</c>.</summary>
    public override string ToString() => Message is null ? Code ?? string.Empty : Code + ": " + Message;

    /// <summary>Compares two errors by code and message.</summary>
    public static bool operator ==(DefenderError left, DefenderError right) => left.Equals(right);

    /// <summary>Compares two errors by code and message.</summary>
    public static bool operator !=(DefenderError left, DefenderError right) => !left.Equals(right);
}
