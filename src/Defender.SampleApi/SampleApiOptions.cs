namespace Defender.SampleApi;

/// <summary>The sample's own settings, bound from the <c>SampleApi</c> configuration section.</summary>
internal sealed class SampleApiOptions
{
    public const string SectionName = "SampleApi";

    /// <summary>
    /// Bearer tokens by their literal value, each with the identity it stands for. The token is a secret: only the identity's
    /// <see cref="TokenOptions.Name"/> is stored and shown (requestor, createdBy…). Default: none, except in Development
    /// (appsettings.Development.json): dev-admin, dev-reader, dev-nolive.
    /// </summary>
    public Dictionary<string, TokenOptions> Tokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tenants by name, with the features they have enabled.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A SQLite file to keep data in; empty (the default) uses an in-memory database seeded at every start.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// An Npgsql connection string: when set, the sample keeps its data in that PostgreSQL database instead of SQLite (so several
    /// instances can share it). Default: empty.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// A StackExchange.Redis configuration string (e.g. <c>127.0.0.1:6379</c>): when set, the rate-limit windows are counted in
    /// that Redis server, so every instance behind a load balancer counts the same calls. Default: empty (each instance's memory).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The address clients reach the sample at (e.g. <c>https://defender.contoso.example</c>, with a path when behind a prefix):
    /// every link the sample writes starts with it, whatever the request's <c>Host</c> header says. Default: empty, links use the
    /// request's host, which must then be in <c>AllowedHosts</c>.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Maps <c>GET /api/fault</c>, which throws, to show a 500 without details. Default: false.</summary>
    public bool EnableFaultEndpoint { get; set; }

    /// <summary>How the simulated devices carry out machine actions.</summary>
    public ActionOptions Actions { get; set; } = new();

    /// <summary>Defender's throttling.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Server-driven paging of the lists.</summary>
    public PagingOptions Paging { get; set; } = new();

    public bool TenantHasFeature(string? tenant, string feature) =>
        tenant is not null
        && Tenants.TryGetValue(tenant, out var options)
        && options.Features.Contains(feature, StringComparer.Ordinal);
}

internal sealed class TokenOptions
{
    /// <summary>
    /// Who the token stands for, as actions and indicators record it (<c>requestor</c>, <c>createdBy</c>…), e.g. an application's
    /// name or a user's UPN. Required, and never the token itself.
    /// </summary>
    public string Name { get; set; } = "";

    /// <summary>The tenant the token belongs to.</summary>
    public string Tenant { get; set; } = "";

    /// <summary>The application permissions (Defender's names, e.g. <c>Machine.Isolate</c>).</summary>
    public List<string> Permissions { get; set; } = [];
}

internal sealed class TenantOptions
{
    /// <summary>Tenant features that are enabled, e.g. <c>LiveResponse</c>.</summary>
    public List<string> Features { get; set; } = [];
}

internal sealed class ActionOptions
{
    /// <summary>
    /// Seconds a new machine action stays <c>Pending</c> before the simulated device reports it <c>Succeeded</c>; while it is
    /// pending, the same action on the same machine answers "Action is already in progress" and it can be cancelled. Default: 30.
    /// </summary>
    public int CompletionSeconds { get; set; } = 30;
}

/// <summary>
/// Defender's documented limits: per token and route, 100 calls a minute and 1,500 an hour; live response 10 a minute and at
/// most 25 running sessions; indicator import 30 a minute. Other routes and numbers under <c>SampleApi:RateLimits:Routes</c>.
/// </summary>
internal sealed class RateLimitOptions
{
    /// <summary>False lifts every limit (for load tests). Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Calls a minute per token and route, unless the route says otherwise. Default: 100.</summary>
    public int PerMinute { get; set; } = 100;

    /// <summary>Calls an hour per token and route, unless the route says otherwise. Default: 1,500.</summary>
    public int PerHour { get; set; } = 1_500;

    /// <summary>Live response sessions that may be pending at once; one more answers 429. Default: 25.</summary>
    public int LiveResponseSessions { get; set; } = 25;
}

internal sealed class PagingOptions
{
    /// <summary>The most entities one list response holds; more are behind <c>@odata.nextLink</c>. Default: 10,000 (Defender's).</summary>
    public int PageSize { get; set; } = 10_000;
}

/// <summary>Defender's permission names (application and delegated), used by the routes' authorization.</summary>
internal static class Permissions
{
    public const string MachineReadAll = "Machine.Read.All";
    public const string MachineReadWriteAll = "Machine.ReadWrite.All";
    public const string MachineRead = "Machine.Read";
    public const string MachineReadWrite = "Machine.ReadWrite";
    public const string MachineIsolate = "Machine.Isolate";
    public const string MachineScan = "Machine.Scan";
    public const string MachineRestrictExecution = "Machine.RestrictExecution";
    public const string MachineCollectForensics = "Machine.CollectForensics";
    public const string MachineOffboard = "Machine.Offboard";
    public const string MachineStopAndQuarantine = "Machine.StopAndQuarantine";
    public const string MachineLiveResponse = "Machine.LiveResponse";
    public const string IndicatorReadAll = "Ti.Read.All";
    public const string IndicatorReadWrite = "Ti.ReadWrite";
    public const string IndicatorReadWriteAll = "Ti.ReadWrite.All";

    /// <summary>Reading machines and machine actions.</summary>
    public static readonly string[] ReadMachines = [MachineReadAll, MachineReadWriteAll, MachineRead, MachineReadWrite];

    /// <summary>Cancelling an action: any of the action permissions.</summary>
    public static readonly string[] CancelAction =
    [
        MachineCollectForensics, MachineIsolate, MachineRestrictExecution, MachineScan, MachineOffboard, MachineStopAndQuarantine,
        MachineLiveResponse,
    ];

    /// <summary>A live response command's result link.</summary>
    public static readonly string[] LiveResponseResult = [MachineReadAll, MachineReadWriteAll, MachineLiveResponse];

    /// <summary>Listing indicators (Ti.Read.All is Defender's read-only application permission; the list page names the other two).</summary>
    public static readonly string[] ReadIndicators = [IndicatorReadWrite, IndicatorReadWriteAll, IndicatorReadAll];

    /// <summary>Submitting, importing and deleting indicators.</summary>
    public static readonly string[] WriteIndicators = [IndicatorReadWrite, IndicatorReadWriteAll];
}

internal static class TenantFeatures
{
    public const string LiveResponse = "LiveResponse";
}
