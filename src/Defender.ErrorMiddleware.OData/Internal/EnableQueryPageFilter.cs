using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Brings <c>[EnableQuery]</c>'s page and count inside the query time budget. With a page size, the attribute reads the page
/// synchronously while it applies the query (<c>TruncatedCollection</c>) and <c>$count=true</c> is counted synchronously by the
/// OData serializer (<c>TotalCountFunc</c>): no token reaches either command. This filter runs inside the attribute, after the
/// action: for a collection the database will read, it applies the query as the attribute would (its model, its validation,
/// its query settings and page size), reads the page and the count asynchronously with the budget's token, and hands MVC the
/// attribute's own kind of result (a <c>TruncatedCollection</c>, <c>@odata.nextLink</c> and <c>@odata.count</c> on the OData
/// feature). The attribute then sees a result it leaves alone (<see cref="ODataPage"/>), and the outer
/// <see cref="DefenderODataMvcFilter"/> turns it back into the <see cref="ObjectResult"/>.
/// </summary>
/// <remarks>
/// A <c>/$count</c> request (an OData route's count segment) is counted the same way. Left to the attribute, as before: an
/// in-memory collection (nothing to cancel), a single entity or <c>SingleResult</c>, <c>$skiptoken</c> paging (its links are built from the last entity by the serializer), an attribute
/// without a page size, and a subclass of the attribute (it may apply the query its own way).
/// </remarks>
internal sealed class EnableQueryPageFilter(ODataLimits limits) : IAsyncActionFilter, IOrderedFilter
{
    /// <summary>Inside every filter of the default order 0, <c>[EnableQuery]</c> included: it sees the action's result first.</summary>
    public const int FilterOrder = 100_000;

    private static readonly ConcurrentDictionary<Type, PageReader> Readers = new();

    public int Order => FilterOrder;

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var executed = await next();
        if (EnableQuery(context.Filters) is not { PageSize: > 0 } attribute || attribute.GetType() != typeof(EnableQueryAttribute)
            || executed.Exception is not null || executed.Canceled
            || executed.Result is not ObjectResult { Value: IQueryable source } result || source is EnumerableQuery
            || !IsSuccess(result.StatusCode ?? context.HttpContext.Response.StatusCode) || !IsSuccess(context.HttpContext.Response.StatusCode)
            || context.ActionDescriptor is not ControllerActionDescriptor action || ReturnsAsyncEnumerable(action))
        {
            return;
        }

        var reader = Readers.GetOrAdd(source.ElementType, static type => (PageReader)Activator.CreateInstance(typeof(PageReader<>).MakeGenericType(type))!);
        if (await reader.ReadAsync(context.HttpContext, attribute, action, result, source, limits) is { } read)
        {
            executed.Result = read;
        }
    }

    private static bool IsSuccess(int status) => status is >= 200 and < 300;

    /// <summary>The attribute that applies the query (the action's over the controller's, as MVC orders them).</summary>
    private static EnableQueryAttribute? EnableQuery(IList<IFilterMetadata> filters)
    {
        for (var i = filters.Count - 1; i >= 0; i--)
        {
            if (filters[i] is EnableQueryAttribute attribute)
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary><c>ActionResult&lt;IAsyncEnumerable&lt;T&gt;&gt;</c>: the attribute treats it specially; left to it.</summary>
    private static bool ReturnsAsyncEnumerable(ControllerActionDescriptor action)
    {
        var type = action.MethodInfo.ReturnType;
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ActionResult<>)
            && type.GetGenericArguments()[0] is { IsGenericType: true } value && value.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>);
    }

    /// <summary>The query settings the attribute applies with (its private copy of them), without its page size.</summary>
    private static ODataQuerySettings SettingsOf(EnableQueryAttribute attribute, HttpRequest request, IQueryable source) => new()
    {
        EnsureStableOrdering = attribute.EnsureStableOrdering,
        HandleNullPropagation = attribute.HandleNullPropagation != HandleNullPropagationOption.Default ? attribute.HandleNullPropagation : DefaultNullPropagation(source),
        EnableConstantParameterization = attribute.EnableConstantParameterization,
        EnableCorrelatedSubqueryBuffering = attribute.EnableCorrelatedSubqueryBuffering,
        HandleReferenceNavigationPropertyExpandFilter = attribute.HandleReferenceNavigationPropertyExpandFilter,
        MaxFunctionCallDepth = attribute.MaxFunctionCallDepth,
        TimeZone = request.GetTimeZoneInfo(),
    };

    /// <summary>
    /// The library's default for the source's provider (it decides by the provider's namespace): no null checks where the query
    /// becomes SQL (EF Core, EF, LINQ to SQL), null checks elsewhere. Decided here because the query is applied to a recorder.
    /// </summary>
    private static HandleNullPropagationOption DefaultNullPropagation(IQueryable source) => source.Provider.GetType().Namespace switch
    {
        "Microsoft.EntityFrameworkCore.Query.Internal" or "System.Data.Entity.Internal.Linq" or "System.Data.Objects.ELinq"
            or "System.Data.Entity.Core.Objects.ELinq" or "System.Data.Linq" => HandleNullPropagationOption.False,
        _ => HandleNullPropagationOption.True,
    };

    /// <summary>The read of one element type, made once per type.</summary>
    private abstract class PageReader
    {
        public abstract Task<IActionResult?> ReadAsync(HttpContext httpContext, EnableQueryAttribute attribute, ControllerActionDescriptor action,
            ObjectResult result, IQueryable source, ODataLimits limits);
    }

    private sealed class PageReader<T> : PageReader
    {
        public override async Task<IActionResult?> ReadAsync(HttpContext httpContext, EnableQueryAttribute attribute, ControllerActionDescriptor action,
            ObjectResult result, IQueryable source, ODataLimits limits)
        {
            if (source is not IQueryable<T> typed)
            {
                return null;
            }

            var request = httpContext.Request;
            var feature = request.ODataFeature();
            var pageSize = attribute.PageSize;
            var countOnly = request.IsCountRequest();
            ODataQueryOptions options;
            ODataQueryCapture<T> capture;
            IQueryable? page;
            try
            {
                // As the attribute builds and validates the query when it applies it (a new one: validation completes $expand).
                var model = attribute.GetModel(typeof(T), request, action);
                options = new ODataQueryOptions(new ODataQueryContext(model, typeof(T), feature.Path), request);
                if (options.Context.DefaultQueryConfigurations.EnableSkipToken)
                {
                    return null;
                }

                attribute.ValidateQuery(request, options);
                capture = new ODataQueryCapture<T>(typed);
                var settings = SettingsOf(attribute, request, source);

                // A /$count request: the library only filters, and sets the count it would run.
                page = countOnly ? null : ODataPageReader.Build(options, capture.Root, settings, pageSize + 1);
                if (countOnly)
                {
                    options.ApplyTo(capture.Root, settings);
                }
            }
            catch (Exception exception) when (IsAnsweredByTheAttribute(exception))
            {
                return BadRequest(exception);
            }

            using var budget = limits.StartQueryBudget(httpContext.RequestAborted);
            try
            {
                var items = page is null ? null : await ODataPageReader.ReadAsync(capture.OnSource(page), budget.Token);

                // Only the OData formatter writes @odata.count: elsewhere the attribute's count never ran either.
                long? count = null;
                if ((countOnly || (options.Count?.Value == true && feature.Path is not null)) && feature.TotalCountFunc is { } countFunc)
                {
                    count = capture.RecordCount(countFunc) is { } countQuery
                        ? await ODataPageReader.CountAsync(source.Provider, countQuery, budget.Token)
                        : countFunc();
                }

                budget.ThrowIfSpent();
                if (count is { } total)
                {
                    feature.TotalCount = total;
                }

                if (page is null || items is null)
                {
                    // What the attribute answers a /$count request with.
                    if (count is not { } counted)
                    {
                        return null;
                    }

                    result.Value = counted;
                    return new ODataPage(result);
                }

                result.Value = ODataPageReader.ToPage(page.ElementType, items, pageSize, out var truncated);
                if (truncated)
                {
                    // What the serializer would link to ($skip paging): it reads the page size only from the library's own read.
                    feature.NextLink = request.GetNextPageLink(pageSize, null, null);
                }

                return new ODataPage(result);
            }
            catch (Exception exception) when (limits.TimedOut(budget) is { } timedOut)
            {
                throw new DefenderException(timedOut, exception);
            }
            catch (Exception exception) when (ODataErrors.Classify(httpContext, exception) is { } error)
            {
                // The data source refusing the query (EF Core cannot translate it, or evaluate a literal part of it), as
                // ToDefenderResult answers it; a database that is down stays a server error.
                throw new DefenderException(error, exception);
            }
        }

        /// <summary>What the attribute turns into its 400 (the outer filter turns that into ODataError); anything else propagates.</summary>
        private static bool IsAnsweredByTheAttribute(Exception exception) =>
            exception is ArgumentOutOfRangeException or NotImplementedException or NotSupportedException or InvalidOperationException;

        private static BadRequestObjectResult BadRequest(Exception exception) =>
            new(EnableQueryAttribute.CreateErrorResponse(exception.Message, exception));
    }
}

/// <summary>
/// A page <see cref="EnableQueryPageFilter"/> has read: <c>[EnableQuery]</c> leaves it alone (it applies queries to object
/// results only), and <see cref="DefenderODataMvcFilter"/> hands MVC the <see cref="ObjectResult"/> back.
/// </summary>
internal sealed class ODataPage(ObjectResult result) : IActionResult
{
    public ObjectResult Result { get; } = result;

    public Task ExecuteResultAsync(ActionContext context) => Result.ExecuteResultAsync(context);
}
