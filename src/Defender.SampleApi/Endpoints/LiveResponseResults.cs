using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Defender.ErrorMiddleware;
using Defender.SampleApi.Data;
using Defender.SampleApi.Http;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// The download links of live response results. Defender answers with a pre-signed storage address valid for 30 minutes; the
/// sample signs its own address the same way (an expiry, and a signature over action, command and expiry made with ASP.NET Core
/// Data Protection), so the link works without a bearer token and stops working when it expires. The keys are Data Protection's
/// key ring: in memory for one instance, shared in the database by a fleet (<see cref="Fleet.SampleFleet"/>), so a link one instance
/// gives downloads from any other.
/// </summary>
internal sealed class LiveResponseResults(TimeProvider time, IDataProtectionProvider protection)
{
    public static readonly TimeSpan Validity = TimeSpan.FromMinutes(30);

    private readonly IDataProtector _protector = protection.CreateProtector("Defender.SampleApi.LiveResponseResultLink.v1");

    public string CreateLink(HttpRequest request, string actionId, int index)
    {
        var expires = time.GetUtcNow().Add(Validity).ToUnixTimeSeconds();
        return $"{ODataEntityWriter.ServiceRoot(request)}liveresponseresults/{Uri.EscapeDataString(actionId)}/{index.ToString(CultureInfo.InvariantCulture)}"
            + $"?se={expires.ToString(CultureInfo.InvariantCulture)}&sig={Sign(actionId, index, expires)}";
    }

    internal static async Task<Results<FileContentHttpResult, DefenderErrorResult>> Download(string id, string index, string? se, string? sig,
        LiveResponseResults results, SampleDbContext db, CancellationToken cancellationToken)
    {
        var forbidden = DefenderResults.Error(DefenderError.Forbidden("The link is not valid; ask GetLiveResponseResultDownloadLink for a new one."));
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var commandIndex)
            || !long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !results.Verify(id, commandIndex, expires, sig))
        {
            return forbidden;
        }

        if (results.Expired(expires))
        {
            return DefenderResults.Error(DefenderError.Forbidden("The link has expired; ask GetLiveResponseResultDownloadLink for a new one."));
        }

        // The link has no caller and so no tenant: its signature over the action's id is the permission, whatever tenant owns it.
        var action = await db.MachineActions.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (action is null || commandIndex >= action.Commands.Count)
        {
            return DefenderResults.Error(DefenderError.ResourceNotFound("MachineAction", id));
        }

        var command = action.Commands[commandIndex].Command;
        if (command.Type == LiveResponseRules.RunScript)
        {
            var script = LiveResponseRules.Parameter(command, "ScriptName") ?? "";
            var transcript = new ScriptTranscript
            {
                ScriptName = script,
                ExitCode = 0,
                ScriptOutput = $"Transcript started (simulated by the Defender sample API) for {script} {LiveResponseRules.Parameter(command, "Args")}".TrimEnd(),
                ScriptErrors = "",
            };
            return TypedResults.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(transcript, SampleJsonContext.Default.ScriptTranscript),
                "application/json");
        }

        var path = LiveResponseRules.Parameter(command, "Path") ?? "";
        return TypedResults.File(Encoding.UTF8.GetBytes($"Simulated content of {path} from {action.ComputerDnsName}.\n"), "application/octet-stream",
            DownloadName(path));
    }

    /// <summary>
    /// The file name a download is offered under: the path's last segment without control or format characters (Unicode Cc, Cf:
    /// ESC, NUL, the bidi overrides that make <c>U+202E gnp.exe</c> look like <c>exe.png</c>), line or paragraph separators.
    /// </summary>
    internal static string DownloadName(string path)
    {
        var name = Path.GetFileName(path.Replace('\\', '/'));
        var kept = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned))
            {
                kept.Append(rune.ToString());
            }
        }

        var cleaned = kept.ToString().Trim();
        return cleaned.Length == 0 || cleaned is "." or ".." ? "result" : cleaned;
    }

    /// <summary>
    /// The result a download request names (<c>action/index</c>) when its signature is one this service made, expired or not;
    /// <see langword="null"/> for a forged or malformed link. The rate limiter reads it before any window is counted.
    /// </summary>
    internal string? SignedLink(HttpRequest request) =>
        request.RouteValues["id"] is string id && request.RouteValues["index"] is string index
        && int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var commandIndex)
        && long.TryParse(request.Query["se"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
        && Verify(id, commandIndex, expires, request.Query["sig"])
            ? string.Create(CultureInfo.InvariantCulture, $"{id}/{commandIndex}")
            : null;

    private bool Expired(long expires) => time.GetUtcNow().ToUnixTimeSeconds() > expires;

    private string Sign(string actionId, int index, long expires) =>
        WebEncoders.Base64UrlEncode(_protector.Protect(Payload(actionId, index, expires)));

    // Data Protection authenticates what it protects: a signature that does not decode under a key of the ring, or decodes to
    // another action, command or expiry, is not one this service gave.
    private bool Verify(string actionId, int index, long expires, string? sig)
    {
        if (string.IsNullOrEmpty(sig))
        {
            return false;
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(_protector.Unprotect(WebEncoders.Base64UrlDecode(sig)), Payload(actionId, index, expires));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Payload(string actionId, int index, long expires) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{actionId}\n{index}\n{expires}"));
}
