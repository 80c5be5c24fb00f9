using System.IO.Pipelines;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Wrapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// A Defender list response for an OData query: validates the query against <see cref="DefenderODataOptions"/>, lets
/// Microsoft.AspNetCore.OData apply it to the source (translated by EF Core, constants as parameters), and writes
/// <c>{"@odata.context"?, "@odata.count"?, "value":[…], "@odata.nextLink"?}</c> with the API's JSON options.
/// Create it with <see cref="DefenderODataQueryOptionsExtensions.ToDefenderResult{T}"/>; it works as a minimal API result
/// and as an MVC action result. Every failure is 400 ODataError, written before the first byte of the list.
/// </summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed class DefenderODataResult<T> : IResult, IActionResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    private const string ODataContentType = "application/json; odata.metadata=minimal; charset=utf-8";

    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> WrapperOptions = [];

    private readonly ODataQueryOptions<T> _query;
    private readonly IQueryable<T> _source;
    private readonly string? _context;

    internal DefenderODataResult(ODataQueryOptions<T> query, IQueryable<T> source, string? context)
    {
        _query = query;
        _source = source;
        _context = context;
    }

    /// <summary>Always 200: a bad query is answered with the error envelope instead of this result.</summary>
    public int? StatusCode => StatusCodes.Status200OK;

    /// <inheritdoc/>
    public string ContentType => ODataContentType;

    /// <inheritdoc/>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var json = httpContext.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions ?? JsonSerializerOptions.Web;
        return WriteAsync(httpContext, json);
    }

    /// <inheritdoc/>
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var json = context.HttpContext.RequestServices.GetService<IOptions<MvcJsonOptions>>()?.Value.JsonSerializerOptions ?? JsonSerializerOptions.Web;
        return WriteAsync(context.HttpContext, json);
    }

    /// <summary>Adds <see cref="DefenderODataQueryMetadata"/>: the endpoint documents the query options and ODataError.</summary>
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var maxTop = builder.ApplicationServices.GetService<IOptions<DefenderODataOptions>>()?.Value.MaxTop ?? new DefenderODataOptions().MaxTop;
        builder.Metadata.Add(new DefenderODataQueryMetadata(typeof(T), maxTop));
    }

    private async Task WriteAsync(HttpContext httpContext, JsonSerializerOptions json)
    {
        var limits = httpContext.RequestServices.GetService<ODataLimits>()
            ?? throw new InvalidOperationException("DefenderODataResult needs services.AddDefenderOData().");
        var page = await RunAsync(httpContext, limits);
        var cancellationToken = httpContext.RequestAborted;

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ODataContentType;
        response.Headers["OData-Version"] = "4.0";

        // The pipe writer buffers in memory: the serializer's own flushes never block on the network.
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented });
        writer.WriteStartObject();
        if (_context is not null)
        {
            writer.WriteString("@odata.context", ContextUrl(httpContext.Request, _context));
        }

        if (page.Count is { } count)
        {
            writer.WriteNumber("@odata.count", count);
        }

        writer.WriteStartArray("value");
        JsonTypeInfo? entityInfo = null;
        JsonSerializerOptions? wrapperOptions = null;
        long flushed = 0;
        var nextLink = page.NextLink;
        var maxPageBytes = limits.Options.MaxPageBytes;
        for (var index = 0; index < page.Items.Count; index++)
        {
            var item = page.Items[index];
            if (item is T entity)
            {
                entityInfo ??= json.GetTypeInfo(typeof(T));
                JsonSerializer.Serialize(writer, entity, entityInfo);
            }
            else if (item is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                // $select / $expand: the library's wrappers, written by its own converter with the EDM (JSON) names.
                wrapperOptions ??= WrapperOptions.GetValue(json, CreateWrapperOptions);
                JsonSerializer.Serialize(writer, item, item.GetType(), wrapperOptions);
            }

            if (writer.BytesCommitted + writer.BytesPending >= maxPageBytes && index + 1 < page.Items.Count)
            {
                // The byte budget ends the page early: the link skips what was written, and keeps the rest of $top.
                nextLink = httpContext.Request.GetNextPageLink(index + 1, null, null);
                break;
            }

            flushed = await FlushIfFullAsync(writer, body, flushed, cancellationToken);
        }

        writer.WriteEndArray();
        if (nextLink is not null)
        {
            writer.WriteString("@odata.nextLink", nextLink.AbsoluteUri);
        }

        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    /// <summary>Validates, applies and runs the query; everything is read before anything is written.</summary>
    private async Task<Page> RunAsync(HttpContext httpContext, ODataLimits limits)
    {
        // A query text this endpoint has validated and run before replays the LINQ the library built for it.
        var plans = httpContext.RequestServices.GetService<ODataQueryPlanCache>();
        var key = plans is not null && _source.ElementType == typeof(T) ? ODataQueryPlanCache.KeyOf(httpContext, _query.Context.Model, typeof(T)) : null;
        var plan = key is { } known ? plans!.Find(known) : null;
        if (plan is null && limits.CheckOptions(httpContext.Request.Query, _query) is { } rejected)
        {
            throw new DefenderException(rejected);
        }

        var pageSize = limits.Options.PageSize;
        using var budget = limits.StartQueryBudget(httpContext.RequestAborted);
        try
        {
            var feature = httpContext.ODataFeature();
            if (plan is not null)
            {
                // Validated when it was recorded: the same query text on the same endpoint, model and Prefer header.
                var replayed = await ODataPageReader.ReadAsync(plan.Page(_source), budget.Token);
                var replayedCount = plan.HasCount ? feature.TotalCount ?? await plan.CountAsync(_source, budget.Token) : (long?)null;
                budget.ThrowIfSpent();
                return ToPage(httpContext.Request, replayed, pageSize, replayedCount);
            }

            limits.Validate(_query);

            // The library applies the query to a recorder standing in for the source; the page query it built is read on the
            // source. One item more than the page tells whether more exist; read asynchronously with the budget's token, so
            // EF Core cancels the database command when the time is up or the client leaves. The count is the library's,
            // recorded the same way and run with the same token.
            var capture = _source.ElementType == typeof(T) ? new ODataQueryCapture<T>(_source) : null;
            var built = ODataPageReader.Build(_query, capture?.Root ?? _source, ODataLimits.CreateQuerySettings(), pageSize + 1);
            var items = await ODataPageReader.ReadAsync(capture?.OnSource(built) ?? built, budget.Token);
            var count = _query.Count?.Value == true ? await CountAsync(feature, capture, budget.Token) : null;
            budget.ThrowIfSpent();

            var page = ToPage(httpContext.Request, items, pageSize, count);
            if (key is { } added && capture!.ToPlan(built) is { } recorded && recorded.HasCount == page.Count.HasValue)
            {
                plans!.Add(added, recorded);
            }

            return page;
        }
        catch (Exception exception) when (limits.TimedOut(budget) is { } timedOut)
        {
            // Cancelled by the budget (OperationCanceledException, or the provider's own error for a cancelled command).
            throw new DefenderException(timedOut, exception);
        }
        catch (Exception exception) when (ODataErrors.Classify(httpContext, exception) is { } error)
        {
            // The library's or the data source's refusal: the client's query, answered here so no mapping is needed.
            throw new DefenderException(error, exception);
        }
    }

    /// <summary>
    /// The entities <c>$count=true</c> counts: the library's count (its <c>TotalCountFunc</c>) recorded on the stand-in and run on
    /// the source asynchronously with the budget's token; a count function that is not the library's on the stand-in (the
    /// application's) runs as the library would run it.
    /// </summary>
    private async Task<long?> CountAsync(Microsoft.AspNetCore.OData.Abstracts.IODataFeature feature, ODataQueryCapture<T>? capture, CancellationToken cancellationToken)
    {
        if (feature.TotalCountFunc is not { } countFunc)
        {
            return feature.TotalCount;
        }

        var count = capture?.RecordCount(countFunc) is { } countQuery
            ? await ODataPageReader.CountAsync(_source.Provider, countQuery, cancellationToken)
            : countFunc();
        feature.TotalCount = count;
        return count;
    }

    /// <summary>The page of <paramref name="items"/>, read one beyond the page size: if that one is there, it ends with a next link.</summary>
    private static Page ToPage(HttpRequest request, List<object?> items, int pageSize, long? count)
    {
        Uri? nextLink = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(pageSize);
            nextLink = request.GetNextPageLink(pageSize, null, null);
        }

        return new Page(items, count, nextLink);
    }

    /// <summary>An absolute context URL as given; a relative one (<c>api/$metadata#Machines</c>) against the request's base URL.</summary>
    private static string ContextUrl(HttpRequest request, string context) =>
        Uri.TryCreate(context, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute.AbsoluteUri
            : string.Concat(request.Scheme, "://", request.Host.ToUriComponent(), request.PathBase.ToUriComponent(), "/", context.TrimStart('/'));

    private static JsonSerializerOptions CreateWrapperOptions(JsonSerializerOptions json)
    {
        var options = new JsonSerializerOptions(json)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(json.TypeInfoResolver, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new SelectExpandWrapperConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Sends what was written once 16 KiB have gathered; returns the bytes sent so far.</summary>
    private static async ValueTask<long> FlushIfFullAsync(Utf8JsonWriter writer, PipeWriter body, long flushed, CancellationToken cancellationToken)
    {
        if (writer.BytesCommitted + writer.BytesPending - flushed < 16 * 1024)
        {
            return flushed;
        }

        writer.Flush();
        await body.FlushAsync(cancellationToken);
        return writer.BytesCommitted;
    }

    private sealed record Page(List<object?> Items, long? Count, Uri? NextLink);
}
