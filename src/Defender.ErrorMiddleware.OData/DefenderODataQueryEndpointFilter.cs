using System.Diagnostics.CodeAnalysis;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.Extensions.DependencyInjection;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Microsoft.AspNetCore.OData's minimal-API query filter held to <see cref="DefenderODataOptions"/>: register it in place of the
/// library's own, <c>.AddODataQueryEndpointFilter&lt;DefenderODataQueryEndpointFilter&gt;()</c>. Before the handler, the query
/// is validated as <see cref="DefenderODataResult{T}"/> validates it (<c>$apply</c>/<c>$compute</c>/<c>$search</c>, the option
/// length, the library's validators with Defender's limits, the one node budget); after it, the handler's collection is read
/// with the query applied, at most <see cref="DefenderODataOptions.PageSize"/> entities in a stable order, asynchronously
/// inside <see cref="DefenderODataOptions.QueryTimeout"/>. Every failure is 400 ODataError.
/// </summary>
/// <remarks>
/// The library's own filter validates with the settings each endpoint passes it, and reads nothing itself. ASP.NET Core has no
/// global endpoint filter, so this cannot reach an endpoint that does not ask for it.
/// </remarks>
[RequiresUnreferencedCode(ODataTrimming.Message)]
[RequiresDynamicCode(ODataTrimming.Message)]
public sealed class DefenderODataQueryEndpointFilter : ODataQueryEndpointFilter
{
    private readonly ODataLimits _limits;

    /// <summary>Creates the filter with the limits <c>AddDefenderOData()</c> registered.</summary>
    /// <param name="services">The application's services.</param>
    public DefenderODataQueryEndpointFilter(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _limits = services.GetService<ODataLimits>()
            ?? throw new InvalidOperationException("DefenderODataQueryEndpointFilter needs services.AddDefenderOData().");
        QuerySettings.EnableConstantParameterization = true;
        QuerySettings.EnsureStableOrdering = true;

        // A page size makes the library apply the query to every collection, even without query options; the page is read here.
        QuerySettings.PageSize = _limits.Options.PageSize;
    }

    /// <inheritdoc/>
    public override async ValueTask<object> OnFilterExecutedAsync(object responseValue, ODataQueryFilterInvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await base.OnFilterExecutedAsync(responseValue, context);
        if (result is not IQueryable page || page is EnumerableQuery)
        {
            return result;
        }

        // The page ApplyQuery built (one entity beyond the page size), read with the budget's token.
        var pageSize = _limits.Options.PageSize;
        var httpContext = context.HttpContext;
        using var budget = _limits.StartQueryBudget(httpContext.RequestAborted);
        try
        {
            var items = await ODataPageReader.ReadAsync(page, budget.Token);
            budget.ThrowIfSpent();
            return ODataPageReader.ToPage(page.ElementType, items, pageSize, out _);
        }
        catch (Exception exception) when (_limits.TimedOut(budget) is { } timedOut)
        {
            throw new DefenderException(timedOut, exception);
        }
        catch (Exception exception) when (ODataErrors.Classify(httpContext, exception) is { } error)
        {
            throw new DefenderException(error, exception);
        }
    }

    /// <inheritdoc/>
    public override IQueryable ApplyQuery(IQueryable queryable, ODataQueryOptions queryOptions, ODataQuerySettings querySettings)
    {
        ArgumentNullException.ThrowIfNull(queryable);
        ArgumentNullException.ThrowIfNull(queryOptions);
        ArgumentNullException.ThrowIfNull(querySettings);
        // Without the library's paging, which would read the page synchronously (TruncatedCollection) while applying the query.
        var unpaged = new ODataQuerySettings
        {
            EnsureStableOrdering = querySettings.EnsureStableOrdering,
            HandleNullPropagation = querySettings.HandleNullPropagation,
            EnableConstantParameterization = querySettings.EnableConstantParameterization,
            EnableCorrelatedSubqueryBuffering = querySettings.EnableCorrelatedSubqueryBuffering,
            HandleReferenceNavigationPropertyExpandFilter = querySettings.HandleReferenceNavigationPropertyExpandFilter,
            MaxFunctionCallDepth = querySettings.MaxFunctionCallDepth,
            TimeZone = querySettings.TimeZone,
            IgnoredQueryOptions = querySettings.IgnoredQueryOptions,
            IgnoredNestedQueryOptions = querySettings.IgnoredNestedQueryOptions,
        };
        return ODataPageReader.Build(queryOptions, queryable, unpaged, _limits.Options.PageSize + 1);
    }

    /// <inheritdoc/>
    protected override void ValidateQuery(HttpContext httpContext, ODataQueryOptions queryOptions)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(queryOptions);
        if (_limits.CheckOptions(httpContext.Request.Query, queryOptions) is { } rejected)
        {
            throw new DefenderException(rejected);
        }

        _limits.Validate(queryOptions);
    }
}
