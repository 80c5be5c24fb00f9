using System.Text;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>One catalog row: a documented code, its HTTP status and its message templates. Read it from <see cref="DefenderErrorCatalog"/>.</summary>
public sealed class DefenderErrorDescriptor
{
    internal DefenderErrorDescriptor(DefenderErrorCode code, int statusCode, string template, string defaultMessage, string? threatProtectionMessage = null)
    {
        Code = code;
        Name = code.ToString();
        StatusCode = statusCode;
        Template = template;
        MessageFormat = CompositeFormat.Parse(template);
        DefaultMessage = defaultMessage;
        ThreatProtectionDefaultMessage = threatProtectionMessage ?? defaultMessage;
    }

    /// <summary>The code.</summary>
    public DefenderErrorCode Code { get; }

    /// <summary>The code's name as written in the envelope, e.g. <c>ResourceNotFound</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP status the code always has, e.g. 404.</summary>
    public int StatusCode { get; }

    /// <summary>The composite format, e.g. <c>Hash value {0} is invalid.</c> (<c>DefenderErrorCatalog.Format</c> fills it).</summary>
    public string Template { get; }

    /// <summary><see cref="Template"/>, parsed once.</summary>
    internal CompositeFormat MessageFormat { get; }

    internal string DefaultMessage { get; }

    internal string ThreatProtectionDefaultMessage { get; }

    /// <summary>The message used when an error of this code carries none, in the given wording.</summary>
    /// <param name="preset">Which published document's wording.</param>
    /// <returns>The default message of that wording (the same in both for most codes).</returns>
    public string GetDefaultMessage(DefenderMessagePreset preset) =>
        preset == DefenderMessagePreset.MicrosoftThreatProtection ? ThreatProtectionDefaultMessage : DefaultMessage;
}
