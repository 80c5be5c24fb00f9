using Defender.ErrorMiddleware;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// The Indicators API's <c>indicatorType</c> values and the rule each puts on <c>indicatorValue</c>: this API's domain, built
/// on the library's validators for the documented codes (InvalidHashValue, InvalidIpAddress, InvalidDomainName, InvalidUrl).
/// </summary>
internal static class IndicatorKinds
{
    /// <summary>
    /// Checks a value against its kind given by name, as the body carries it (matched case-sensitively): an unknown kind is
    /// InvalidInput with the kind, a missing one MissingRequiredParameter <c>indicatorType</c>, a bad value the kind's own code.
    /// </summary>
    public static bool TryValidate(string? indicatorType, string? value, out DefenderError error)
    {
        switch (indicatorType)
        {
            case null or "":
                error = DefenderError.MissingRequiredParameter("indicatorType");
                return false;
            case "FileSha1" or "CertificateThumbprint":
                return DefenderValidators.TryValidateHash(value, DefenderHashKind.Sha1, out error);
            case "FileSha256":
                return DefenderValidators.TryValidateHash(value, DefenderHashKind.Sha256, out error);
            case "FileMd5":
                return DefenderValidators.TryValidateHash(value, DefenderHashKind.Md5, out error);
            case "IpAddress":
                return DefenderValidators.TryValidateIpAddress(value, out error);
            case "DomainName":
                return DefenderValidators.TryValidateDomainName(value, out error);
            case "Url":
                return DefenderValidators.TryValidateUrl(value, out error);
            default:
                error = DefenderError.InvalidInput(indicatorType);
                return false;
        }
    }
}
