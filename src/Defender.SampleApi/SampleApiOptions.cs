namespace Defender.SampleApi;

/// <summary>The sample's own settings, bound from the <c>SampleApi</c> configuration section.</summary>
internal sealed class SampleApiOptions
{
    public const string SectionName = "SampleApi";

    /// <summary>Bearer tokens by their literal value. Default (appsettings.json): dev-admin, dev-reader, dev-nolive.</summary>
    public Dictionary<string, TokenOptions> Tokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tenants by name, with the features they have enabled.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A SQLite file to keep data in; empty (the default) uses an in-memory database seeded at every start.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>Maps <c>GET /api/fault</c>, which throws, to show a 500 without details. Default: false.</summary>
    public bool EnableFaultEndpoint { get; set; }

    public bool TenantHasFeature(string? tenant, string feature) =>
        tenant is not null
        && Tenants.TryGetValue(tenant, out var options)
        && options.Features.Contains(feature, StringComparer.Ordinal);
}

internal sealed class TokenOptions
{
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

/// <summary>Defender's application permission names, used as the sample's authorization policies.</summary>
internal static class Permissions
{
    public const string MachineRead = "Machine.Read.All";
    public const string MachineIsolate = "Machine.Isolate";
    public const string MachineLiveResponse = "Machine.LiveResponse";
    public const string IndicatorRead = "Ti.Read.All";
    public const string IndicatorWrite = "Ti.ReadWrite.All";

    public static readonly string[] All = [MachineRead, MachineIsolate, MachineLiveResponse, IndicatorRead, IndicatorWrite];
}

internal static class TenantFeatures
{
    public const string LiveResponse = "LiveResponse";
}
