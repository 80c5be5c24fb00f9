using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Defender.ErrorMiddleware.OData.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Defender.ErrorMiddleware.OData;

/// <summary>
/// The OData query options of a request (<c>$filter</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$select</c>,
/// <c>$count</c>) for entities of type <typeparamref name="T"/>, parsed and checked against
/// <see cref="DefenderODataOptions"/>. Take it as a parameter of a minimal API handler or a controller action; a bad
/// query never reaches the handler: it is answered with 400 ODataError.
/// </summary>
/// <remarks>
/// Properties are named in queries as the API serializes them (the JSON naming policy and <c>[JsonPropertyName]</c>).
/// Properties of primitive types, enumerations and dates can be filtered, ordered and selected; nested objects and
/// collections cannot.
/// </remarks>
/// <typeparam name="T">The entity type.</typeparam>
[ModelBinder(typeof(DefenderODataQueryModelBinder))]
[ValidateNever]
public sealed class DefenderODataQuery<T> : IBindableFromHttpContext<DefenderODataQuery<T>>, IEndpointParameterMetadataProvider
{
    private readonly ParsedQuery _parsed;
    private readonly int _maxTop;

    private DefenderODataQuery(EntityModel model, ParsedQuery parsed, int maxTop)
    {
        Model = model;
        _parsed = parsed;
        _maxTop = maxTop;
    }

    /// <summary>The <c>$filter</c> as sent, or <see langword="null"/>.</summary>
    public string? Filter => _parsed.Filter;

    /// <summary>The <c>$orderby</c> as sent, or <see langword="null"/>.</summary>
    public string? OrderBy => _parsed.OrderBy;

    /// <summary>The <c>$top</c> sent, or <see langword="null"/> (then at most <see cref="DefenderODataOptions.MaxTop"/> entities are returned).</summary>
    public int? Top => _parsed.Top;

    /// <summary>The <c>$skip</c> sent, or <see langword="null"/>.</summary>
    public int? Skip => _parsed.Skip;

    /// <summary>The JSON names of the properties <c>$select</c> asked for, or <see langword="null"/> for all of them.</summary>
    public IReadOnlyList<string>? Select => _parsed.Select?.Select(static p => p.Name).ToArray();

    /// <summary>Whether <c>$count=true</c> asked for the total number of matching entities.</summary>
    public bool Count => _parsed.Count;

    internal EntityModel Model { get; }

    internal ParsedQuery Parsed => _parsed;

    /// <summary>
    /// Applies <c>$filter</c>, <c>$orderby</c>, <c>$skip</c> and <c>$top</c> (or <see cref="DefenderODataOptions.MaxTop"/>)
    /// to <paramref name="source"/>, as LINQ expressions an EF Core provider translates to SQL. <c>$select</c> and
    /// <c>$count</c> are applied by <see cref="ToResult"/>.
    /// </summary>
    /// <param name="source">The entities, e.g. a <c>DbSet&lt;T&gt;</c>.</param>
    /// <returns>The composed query; nothing has run yet.</returns>
    public IQueryable<T> ApplyTo(IQueryable<T> source) => ApplyPaging(ApplyFilter(source));

    /// <summary>
    /// Runs the query and answers with the OData collection shape:
    /// <c>{"@odata.context"?, "@odata.count"?, "value":[…]}</c>, with <c>$select</c> applied.
    /// </summary>
    /// <param name="source">The entities, e.g. a <c>DbSet&lt;T&gt;</c> (already restricted to what the caller may see).</param>
    /// <param name="context">The <c>@odata.context</c> URL to write, or <see langword="null"/> to leave it out.</param>
    /// <returns>The result; return it from a minimal API handler or a controller action.</returns>
    public DefenderODataResult<T> ToResult(IQueryable<T> source, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new DefenderODataResult<T>(this, source, context);
    }

    internal IQueryable<T> ApplyFilter(IQueryable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _parsed.Predicate is { } predicate ? source.Where((Expression<Func<T, bool>>)predicate) : source;
    }

    internal IQueryable<T> ApplyPaging(IQueryable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ordered = false;
        foreach (var ordering in _parsed.Orderings)
        {
            var method = (ordered, ordering.Descending) switch
            {
                (false, false) => nameof(Queryable.OrderBy),
                (false, true) => nameof(Queryable.OrderByDescending),
                (true, false) => nameof(Queryable.ThenBy),
                (true, true) => nameof(Queryable.ThenByDescending),
            };
            var call = Expression.Call(typeof(Queryable), method, [typeof(T), ordering.KeySelector.ReturnType],
                source.Expression, Expression.Quote(ordering.KeySelector));
            source = source.Provider.CreateQuery<T>(call);
            ordered = true;
        }

        if (_parsed.Skip is { } skip)
        {
            source = source.Skip(skip);
        }

        return source.Take(_parsed.Top ?? _maxTop);
    }

    /// <summary>Reads and validates the query options of the request, for a minimal API parameter.</summary>
    static ValueTask<DefenderODataQuery<T>?> IBindableFromHttpContext<DefenderODataQuery<T>>.BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var serializerOptions = context.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions
            ?? JsonSerializerOptions.Web;
        return ValueTask.FromResult<DefenderODataQuery<T>?>(Create(context, serializerOptions));
    }

    /// <summary>Adds <see cref="DefenderODataQueryMetadata"/> to the endpoint.</summary>
    static void IEndpointParameterMetadataProvider.PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var maxTop = builder.ApplicationServices.GetService<IOptions<DefenderODataOptions>>()?.Value.MaxTop ?? new DefenderODataOptions().MaxTop;
        builder.Metadata.Add(new DefenderODataQueryMetadata(typeof(T), maxTop));
    }

    internal static DefenderODataQuery<T> Create(HttpContext context, JsonSerializerOptions serializerOptions)
    {
        var limits = context.RequestServices.GetService<IOptions<DefenderODataOptions>>()?.Value ?? new DefenderODataOptions();
        var model = EntityModel.For(typeof(T), serializerOptions);
        return new DefenderODataQuery<T>(model, QueryOptionsReader.Read(context.Request.Query, model, limits), limits.MaxTop);
    }
}
