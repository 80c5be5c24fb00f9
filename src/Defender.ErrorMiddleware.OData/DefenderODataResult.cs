using System.IO.Pipelines;
using System.Linq.Expressions;
using System.Text.Json;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// Runs an OData query and writes <c>{"@odata.context"?, "@odata.count"?, "value":[…]}</c>.
/// Create it with <see cref="DefenderODataQuery{T}.ToResult"/>; it works as a minimal API result and as an MVC action result.
/// </summary>
/// <typeparam name="T">The entity type.</typeparam>
public sealed class DefenderODataResult<T> : IResult, IActionResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    internal const string ODataContentType = "application/json; odata.metadata=minimal; charset=utf-8";

    private readonly DefenderODataQuery<T> _query;
    private readonly IQueryable<T> _source;
    private readonly string? _context;

    internal DefenderODataResult(DefenderODataQuery<T> query, IQueryable<T> source, string? context)
    {
        _query = query;
        _source = source;
        _context = context;
    }

    /// <summary>Always 200: a bad query was refused when the query was bound.</summary>
    public int? StatusCode => StatusCodes.Status200OK;

    /// <inheritdoc/>
    public string ContentType => ODataContentType;

    /// <inheritdoc/>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var cancellationToken = httpContext.RequestAborted;
        var filtered = _query.ApplyFilter(_source);
        var paged = _query.ApplyPaging(filtered);
        var serializerOptions = _query.Model.SerializerOptions;

        // Everything is read before the first byte is written, so a failing query still gets an error envelope.
        var select = _query.Parsed.Select;
        long? count = null;
        List<T>? entities = null;
        List<object?[]>? rows = null;
        try
        {
            count = _query.Count ? await QueryRunner.LongCountAsync(filtered, cancellationToken) : null;
            if (select is null)
            {
                entities = await QueryRunner.ToListAsync(paged, cancellationToken);
            }
            else
            {
                rows = await QueryRunner.ToListAsync(paged.Select(Projection(select)), cancellationToken);
            }
        }
        catch (InvalidOperationException exception) when (QueryRunner.IsTranslationFailure(exception))
        {
            // A well-formed query the provider cannot turn into SQL (e.g. year() of a DateTimeOffset on SQLite):
            // the client can change the query, the server cannot; the provider's text (with the LINQ tree) stays in the log.
            throw ODataErrors.Wrap(new Microsoft.OData.ODataException("The data source cannot translate this query.", exception));
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ODataContentType;
        response.Headers["OData-Version"] = "4.0";

        // The pipe writer buffers in memory: JsonSerializer's own flushes never block on the network.
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions
        {
            Encoder = serializerOptions.Encoder,
            Indented = serializerOptions.WriteIndented,
        });
        writer.WriteStartObject();
        if (_context is not null)
        {
            writer.WriteString("@odata.context", _context);
        }

        if (count is { } total)
        {
            writer.WriteNumber("@odata.count", total);
        }

        writer.WriteStartArray("value");
        long flushed = 0;
        if (entities is not null)
        {
            var typeInfo = serializerOptions.GetTypeInfo(typeof(T));
            foreach (var entity in entities)
            {
                JsonSerializer.Serialize(writer, entity, typeInfo);
                flushed = await FlushIfFullAsync(writer, body, flushed, cancellationToken);
            }
        }
        else
        {
            var typeInfos = select!.Select(p => serializerOptions.GetTypeInfo(p.Property.PropertyType)).ToArray();
            foreach (var row in rows!)
            {
                writer.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    writer.WritePropertyName(select![i].Name);
                    JsonSerializer.Serialize(writer, row[i], typeInfos[i]);
                }

                writer.WriteEndObject();
                flushed = await FlushIfFullAsync(writer, body, flushed, cancellationToken);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ExecuteAsync(context.HttpContext);
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

    /// <summary><c>it => new object[] { it.A, it.B }</c>: the provider reads only the selected columns.</summary>
    private static Expression<Func<T, object?[]>> Projection(IReadOnlyList<EntityProperty> select)
    {
        var it = Expression.Parameter(typeof(T), "it");
        var values = select.Select(p => (Expression)Expression.Convert(Expression.Property(it, p.Property), typeof(object)));
        return Expression.Lambda<Func<T, object?[]>>(Expression.NewArrayInit(typeof(object), values), it);
    }
}
