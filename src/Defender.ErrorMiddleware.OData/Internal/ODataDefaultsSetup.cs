using Microsoft.AspNetCore.OData;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.OData.Query;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Fills what the application left unset in the library's options with Defender's defaults: when no query feature is
/// enabled, Defender's ($filter, $orderby, $select, $expand, $count; not $skiptoken: Defender pages with $skip) are; an unset maximum <c>$top</c> (the library's 0 forbids <c>$top</c>) is
/// <see cref="DefenderODataOptions.MaxTop"/>; dates are read in UTC (Defender's time zone) instead of the server's.
/// Runs after every <c>Configure</c>, so an application's explicit choice wins.
/// </summary>
internal sealed class ODataDefaultsSetup(IOptions<DefenderODataOptions> defender) : IPostConfigureOptions<ODataOptions>, IPostConfigureOptions<ODataMiniOptions>
{
    public void PostConfigure(string? name, ODataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ApplyQueryDefaults(options.QueryConfigurations, defender.Value.MaxTop);
        if (options.TimeZone == TimeZoneInfo.Local)
        {
            options.TimeZone = TimeZoneInfo.Utc;
        }
    }

    public void PostConfigure(string? name, ODataMiniOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ApplyQueryDefaults(options.QueryConfigurations, defender.Value.MaxTop);
        if (options.TimeZone == TimeZoneInfo.Local)
        {
            options.SetTimeZoneInfo(TimeZoneInfo.Utc);
        }
    }

    /// <summary>Both option types keep their query features in the same object; their fluent setters only set these.</summary>
    private static void ApplyQueryDefaults(DefaultQueryConfigurations configurations, int maxTop)
    {
        if (NothingEnabled(configurations))
        {
            configurations.EnableFilter = true;
            configurations.EnableOrderBy = true;
            configurations.EnableSelect = true;
            configurations.EnableExpand = true;
            configurations.EnableCount = true;
        }

        if (configurations.MaxTop is null or 0)
        {
            configurations.MaxTop = maxTop;
        }
    }

    private static bool NothingEnabled(DefaultQueryConfigurations c) =>
        !c.EnableFilter && !c.EnableOrderBy && !c.EnableSelect && !c.EnableExpand && !c.EnableCount && !c.EnableSkipToken;
}
