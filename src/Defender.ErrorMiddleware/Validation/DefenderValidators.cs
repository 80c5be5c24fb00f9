using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Defender.ErrorMiddleware;

/// <summary>Which file hash a value must be.</summary>
public enum DefenderHashKind
{
    /// <summary>Any of SHA1 (40 hex digits), SHA256 (64) or MD5 (32).</summary>
    Any,

    /// <summary>SHA1: 40 hexadecimal digits.</summary>
    Sha1,

    /// <summary>SHA256: 64 hexadecimal digits.</summary>
    Sha256,

    /// <summary>MD5: 32 hexadecimal digits.</summary>
    Md5,
}

/// <summary>The kinds of indicator value the Defender indicator APIs accept (their <c>indicatorType</c>).</summary>
[Obsolete(DefenderValidators.IndicatorObsolete)]
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum DefenderIndicatorKind
{
    /// <summary>A SHA1 file hash.</summary>
    FileSha1,

    /// <summary>A SHA256 file hash.</summary>
    FileSha256,

    /// <summary>An MD5 file hash.</summary>
    FileMd5,

    /// <summary>A certificate thumbprint (SHA1).</summary>
    CertificateThumbprint,

    /// <summary>An IPv4 or IPv6 address.</summary>
    IpAddress,

    /// <summary>A domain name (IDN aware).</summary>
    DomainName,

    /// <summary>An absolute http or https URL.</summary>
    Url,
}

/// <summary>
/// The checks behind the Defender validation attributes, callable from code — for example when a value's rule
/// depends on another field. Each returns <see langword="true"/> for a valid value, else the documented error
/// (the value is echoed safely: cut to 128 characters, control characters escaped).
/// </summary>
/// <example><code>
/// if (request.Kind == "FileSha256" &amp;&amp; !DefenderValidators.TryValidateHash(request.Value, DefenderHashKind.Sha256, out var error))
/// {
///     return DefenderResults.Error(error);
/// }
/// </code></example>
public static class DefenderValidators
{
    internal const string IndicatorObsolete =
        "Indicator kinds are one Defender API's domain (the Indicators API), not the error contract: map your own kinds to TryValidateHash, TryValidateIpAddress, TryValidateDomainName and TryValidateUrl, as src/Defender.SampleApi's IndicatorKinds does. This member will be removed in the next major version.";

    private const int MaxDomainLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>Checks a file hash: hexadecimal digits of the length <paramref name="kind"/> requires. Failure: InvalidHashValue.</summary>
    /// <param name="value">The hash.</param>
    /// <param name="kind">The hash kind; <see cref="DefenderHashKind.Any"/> accepts SHA1, SHA256 and MD5.</param>
    /// <param name="error">The error when the value is invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryValidateHash(string? value, DefenderHashKind kind, out DefenderError error)
    {
        if (IsHash(value, kind))
        {
            error = default;
            return true;
        }

        error = DefenderError.InvalidHashValue(value);
        return false;
    }

    /// <summary>
    /// Checks a domain name: at least two labels of letters, digits and inner hyphens (internationalized names are
    /// checked in their punycode form), at most 253 characters, a top-level label that is not numeric. Failure: InvalidDomainName.
    /// </summary>
    /// <param name="value">The domain name.</param>
    /// <param name="error">The error when the value is invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryValidateDomainName(string? value, out DefenderError error)
    {
        if (IsDomainName(value))
        {
            error = default;
            return true;
        }

        error = DefenderError.InvalidDomainName(value);
        return false;
    }

    /// <summary>
    /// Checks an IP address: an IPv4 address in dotted-decimal form with four parts and no leading zeros
    /// (so <c>1</c>, <c>10.1</c> and <c>010.1.1.1</c>, which parsers read in surprising ways, are rejected), or an IPv6
    /// address without a zone. Failure: InvalidIpAddress.
    /// </summary>
    /// <param name="value">The address.</param>
    /// <param name="error">The error when the value is invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryValidateIpAddress(string? value, out DefenderError error)
    {
        if (IsIpAddress(value))
        {
            error = default;
            return true;
        }

        error = DefenderError.InvalidIpAddress(value);
        return false;
    }

    /// <summary>Checks an absolute <c>http</c> or <c>https</c> URL with a host. Failure: InvalidUrl.</summary>
    /// <param name="value">The URL.</param>
    /// <param name="error">The error when the value is invalid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryValidateUrl(string? value, out DefenderError error)
    {
        if (IsHttpUrl(value))
        {
            error = default;
            return true;
        }

        error = DefenderError.InvalidUrl(value);
        return false;
    }

    /// <summary>Checks a batch size. Failure: MaximumBatchSizeExceeded <c>Received: N, allowed: M.</c></summary>
    /// <param name="count">The number of items received.</param>
    /// <param name="maximum">The number allowed.</param>
    /// <param name="error">The error when there are too many.</param>
    /// <returns>Whether the size is allowed.</returns>
    public static bool TryValidateBatchSize(long count, long maximum, out DefenderError error)
    {
        if (count <= maximum)
        {
            error = default;
            return true;
        }

        error = DefenderError.MaximumBatchSizeExceeded(count, maximum);
        return false;
    }

    /// <summary>
    /// Checks an indicator value against its kind: file hashes and thumbprints give InvalidHashValue, IP addresses
    /// InvalidIpAddress, domain names InvalidDomainName, URLs InvalidUrl.
    /// </summary>
    /// <param name="kind">The indicator kind.</param>
    /// <param name="value">The indicator value.</param>
    /// <param name="error">The error when the value is invalid.</param>
    /// <returns>Whether the value is valid for its kind.</returns>
    [Obsolete(IndicatorObsolete)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool TryValidateIndicator(DefenderIndicatorKind kind, string? value, out DefenderError error) => kind switch
    {
        DefenderIndicatorKind.FileSha1 or DefenderIndicatorKind.CertificateThumbprint => TryValidateHash(value, DefenderHashKind.Sha1, out error),
        DefenderIndicatorKind.FileSha256 => TryValidateHash(value, DefenderHashKind.Sha256, out error),
        DefenderIndicatorKind.FileMd5 => TryValidateHash(value, DefenderHashKind.Md5, out error),
        DefenderIndicatorKind.IpAddress => TryValidateIpAddress(value, out error),
        DefenderIndicatorKind.DomainName => TryValidateDomainName(value, out error),
        DefenderIndicatorKind.Url => TryValidateUrl(value, out error),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown indicator kind."),
    };

    /// <summary>
    /// Checks an indicator value against its kind given by name, as a body carries it (<c>"indicatorType": "FileSha256"</c>,
    /// matched case-sensitively). An unknown kind gives InvalidInput with the kind; a missing one MissingRequiredParameter <c>indicatorType</c>.
    /// </summary>
    /// <param name="indicatorType">The kind's name, e.g. <c>FileSha1</c>, <c>IpAddress</c>, <c>DomainName</c>, <c>Url</c>.</param>
    /// <param name="value">The indicator value.</param>
    /// <param name="error">The error when the kind or the value is invalid.</param>
    /// <returns>Whether the value is valid for its kind.</returns>
    [Obsolete(IndicatorObsolete)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static bool TryValidateIndicator(string? indicatorType, string? value, out DefenderError error)
    {
        if (string.IsNullOrEmpty(indicatorType))
        {
            error = DefenderError.MissingRequiredParameter("indicatorType");
            return false;
        }

        // Case-sensitive and names only: "1" or "filesha1" are not kinds.
        var index = Array.IndexOf(Enum.GetNames<DefenderIndicatorKind>(), indicatorType);
        if (index < 0)
        {
            error = DefenderError.InvalidInput(indicatorType);
            return false;
        }

        return TryValidateIndicator(Enum.GetValues<DefenderIndicatorKind>()[index], value, out error);
    }

    /// <summary>
    /// Wraps an error as a <see cref="System.ComponentModel.DataAnnotations.ValidationResult"/> for
    /// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject.Validate"/>: Defender's validation reports the error
    /// itself (code and message), and other validators read its message.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <param name="memberNames">The members it concerns.</param>
    /// <returns>The validation result.</returns>
    public static System.ComponentModel.DataAnnotations.ValidationResult ToValidationResult(DefenderError error, params string[] memberNames) =>
        new Validation.DefenderValidationResult(error, memberNames);

    internal static bool IsHash(string? value, DefenderHashKind kind)
    {
        if (value is null)
        {
            return false;
        }

        var lengthOk = kind switch
        {
            DefenderHashKind.Sha1 => value.Length == 40,
            DefenderHashKind.Sha256 => value.Length == 64,
            DefenderHashKind.Md5 => value.Length == 32,
            _ => value.Length is 32 or 40 or 64,
        };
        return lengthOk && !value.AsSpan().ContainsAnyExcept(HexDigits);
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static readonly System.Buffers.SearchValues<char> LdhCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    internal static bool IsDomainName(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 1024)
        {
            return false;
        }

        var ascii = value;
        if (!System.Text.Ascii.IsValid(value))
        {
            try
            {
                ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(value);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        return IsAsciiHostName(ascii);
    }

    private static bool IsAsciiHostName(string name)
    {
        if (name.Length > MaxDomainLength)
        {
            return false;
        }

        var labels = 0;
        var lastLabel = ReadOnlySpan<char>.Empty;
        foreach (var range in name.AsSpan().Split('.'))
        {
            var label = name.AsSpan(range);
            if (label.Length is 0 or > MaxLabelLength || label.ContainsAnyExcept(LdhCharacters) || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            labels++;
            lastLabel = label;
        }

        // "1.2.3.4" is an address, not a domain: a top-level label is never all digits.
        return labels >= 2 && lastLabel.ContainsAnyExceptInRange('0', '9');
    }

    internal static bool IsIpAddress(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        if (value.Contains(':', StringComparison.Ordinal))
        {
            // IPv6; a zone ("%eth0") is local to one machine and means nothing in an indicator.
            return value.AsSpan().IndexOfAny('%', '[', ']') < 0
                && IPAddress.TryParse(value, out var v6)
                && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsDottedDecimalIPv4(value) && IPAddress.TryParse(value, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork;
    }

    private static bool IsDottedDecimalIPv4(string value)
    {
        var parts = 0;
        foreach (var range in value.AsSpan().Split('.'))
        {
            var part = value.AsSpan(range);
            if (part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9') || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            if (int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    internal static bool IsHttpUrl(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 8192)
        {
            return false;
        }

        // Uri is lenient ("http:/host", "http:\\host", surrounding spaces); require the literal scheme and authority.
        var hasScheme = value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!hasScheme || value.AsSpan().ContainsAnyInRange('\0', ' ') || value.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.HostNameType is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            && uri.Host.Length > 0;
    }
}
