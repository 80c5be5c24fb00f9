using System.Globalization;
using System.Text;

namespace Defender.ErrorMiddleware.Catalog;

/// <summary>One catalog row: a documented code, its HTTP status and its message templates. Read it from <see cref="DefenderErrorCatalog"/>.</summary>
public sealed class DefenderErrorDescriptor
{
    internal DefenderErrorDescriptor(
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

    /// <summary>The code.</summary>
    public DefenderErrorCode Code { get; }

    /// <summary>The code's name as written in the envelope, e.g. <c>ResourceNotFound</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP status the code always has, e.g. 404.</summary>
    public int StatusCode { get; }

    /// <summary>The composite format, e.g. <c>Hash value {0} is invalid.</c></summary>
    public string Template { get; }

    /// <summary><see cref="Template"/>, parsed once.</summary>
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

    /// <summary>The message used when an error of this code carries none, in the given wording.</summary>
    /// <param name="preset">Which published document's wording.</param>
    /// <returns><see cref="DefaultMessage"/> or <see cref="ThreatProtectionDefaultMessage"/>.</returns>
    public string GetDefaultMessage(DefenderMessagePreset preset) =>
        preset == DefenderMessagePreset.MicrosoftThreatProtection ? ThreatProtectionDefaultMessage : DefaultMessage;
}
