namespace Defender.ErrorMiddleware;

/// <summary>
/// Selects which published wording of the contract supplies the default messages.
/// The two documents differ for <see cref="DefenderErrorCode.Unauthorized"/>, <see cref="DefenderErrorCode.Forbidden"/>
/// and <see cref="DefenderErrorCode.InternalServerError"/>.
/// </summary>
public enum DefenderMessagePreset
{
    /// <summary>The current "Common Microsoft 365 Defender REST API error codes" wording (the default).</summary>
    Microsoft365Defender,

    /// <summary>The older "Common Microsoft Threat Protection REST API error codes" wording.</summary>
    MicrosoftThreatProtection,
}
