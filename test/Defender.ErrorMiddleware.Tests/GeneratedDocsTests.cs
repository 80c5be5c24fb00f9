using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>docs/error-codes.md is generated from the catalog and the default options; this fails when they drift.</summary>
public sealed partial class GeneratedDocsTests
{
    [Fact]
    public void ErrorCodesDoc_MatchesCatalog() => GoldenFile.AssertMatches("docs/error-codes.md", Render());

    [Fact]
    public void DocumentationTable_NamesAndFillsEveryFormatItem()
    {
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            var items = FormatItem().Matches(descriptor.Template).Select(m => m.Value).Distinct(StringComparer.Ordinal).Count();
            var (placeholders, examples) = DefenderErrorDocumentation.Of(descriptor.Code);
            Assert.True(items == placeholders.Length && items == examples.Length,
                $"{descriptor.Name}: {items} format items, {placeholders.Length} placeholders, {examples.Length} examples");
            Assert.DoesNotContain("{", DefenderErrorDocumentation.DocumentedTemplate(descriptor), StringComparison.Ordinal);
            Assert.DoesNotContain("{", DefenderErrorDocumentation.ExampleMessage(descriptor), StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex FormatItem();

    internal static string Render()
    {
        var text = new StringBuilder();
        text.Append("""
            <!-- Generated from the catalog by GeneratedDocsTests; run the tests with DEFENDER_UPDATE_GOLDEN=1 to refresh. Do not edit by hand. -->
            # Error codes

            Every error response is exactly `{"error":{"code":"…","message":"…","target":"…"}}` with the code also in the
            `x-ms-error-code` header. `target` is a fresh lower-case GUID per error, written to the server log with the error.

            ## Documented codes

            `<…>` marks the part a factory fills in (`DefenderError.ResourceNotFound(...)` and friends). Echoed values are cut
            to 128 characters (an OData parser's reason to 512) and have control characters escaped. The default message is used when an error carries none;
            `SetDefaultMessage` changes it, `MessagePreset` picks the wording.

            | Code | HTTP status | Message template | Default message (Microsoft 365 Defender) | Default message (Microsoft Threat Protection preset) |
            |---|---|---|---|---|

            """);
        foreach (var descriptor in DefenderErrorCatalog.All)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| `{descriptor.Name}` | {descriptor.StatusCode} | {Cell(DefenderErrorDocumentation.DocumentedTemplate(descriptor))} | {Cell(descriptor.GetDefaultMessage(DefenderMessagePreset.Microsoft365Defender))} | {Cell(descriptor.GetDefaultMessage(DefenderMessagePreset.MicrosoftThreatProtection))} |\n");
        }

        text.Append("""

            `ResourceNotFound("Machine", "123123123")` uses the spec's example wording instead: `Machine 123123123 was not found`.

            ## Codes the options register by default

            | Code | HTTP status | Default message |
            |---|---|---|

            """);
        var options = new DefenderErrorOptions();
        foreach (var registered in options.RegisteredCodes.Values.OrderBy(c => c.Code, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{registered.Code}` | {registered.StatusCode} | {Cell(registered.DefaultMessage)} |\n");
        }

        text.Append("""

            Applications add their own with `options.AddErrorCode("ActiveRequestAlreadyExists", 400, "…")`.

            ## Responses without a body

            A response that finishes with status 400–599, no body and no Content-Type (a challenge, a forbid, a routing 404,
            a 405, Kestrel's 413, the rate limiter's 429…) gets the envelope below and keeps its status. `StatusCodeErrors` changes the table.

            | Status | Code | Message |
            |---|---|---|

            """);
        foreach (var (status, error) in options.StatusCodeErrors.OrderBy(p => p.Key))
        {
            var message = error.Message ?? (error.KnownCode is { } known
                ? DefenderErrorCatalog.Get(known).GetDefaultMessage(options.MessagePreset)
                : options.RegisteredCodes[error.Code].DefaultMessage);
            text.Append(CultureInfo.InvariantCulture, $"| {status} | `{error.Code}` | {Cell(message)} |\n");
        }

        text.Append("| any other 4xx | `BadRequest` | General Bad Request error message. |\n");
        text.Append("| any 5xx | `InternalServerError` | (the preset's InternalServerError message) |\n");
        return text.ToString();
    }

    private static string Cell(string value) => value.Length == 0 ? "*(empty: no details)*" : value.Replace("|", "\\|", StringComparison.Ordinal);
}
