using System.Globalization;
using System.Security.Claims;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Data;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Endpoints;

/// <summary>Defender's custom indicator routes: list, submit (create or update), delete and batch import.</summary>
internal static class IndicatorEndpoints
{
    private const int UniqueConstraintFailed = 19; // SQLITE_CONSTRAINT

    private static readonly DefenderErrorCode[] ValueErrors =
    [
        DefenderErrorCode.InvalidInput, DefenderErrorCode.InvalidHashValue, DefenderErrorCode.InvalidIpAddress,
        DefenderErrorCode.InvalidDomainName, DefenderErrorCode.InvalidUrl,
    ];

    public static RouteGroupBuilder MapIndicatorEndpoints(this RouteGroupBuilder api)
    {
        // WithDefenderValidation(): the library checks the validation attributes on bodies (here [MaxBatchSize]).
        var indicators = api.MapGroup("/indicators").WithTags("Indicators").WithDefenderValidation();

        indicators.MapGet("/", List)
            .Produces<ODataCollection<Indicator>>(StatusCodes.Status200OK, "application/json")
            .ProducesDefenderError(DefenderErrorCode.ODataError)
            .WithName("ListIndicators").WithSummary("Lists the tenant's indicators; supports $filter, $orderby, $top, $skip, $select and $count.")
            .RequireAuthorization(Permissions.IndicatorRead);

        indicators.MapPost("/", Submit)
            .WithName("SubmitIndicator").WithSummary("Creates an indicator, or updates the one with the same type and value.")
            .ProducesDefenderError(MachineEndpoints.BodyErrors)
            .ProducesDefenderError(ValueErrors)
            .RequireAuthorization(Permissions.IndicatorWrite);

        indicators.MapDelete("/{id}", Delete)
            .WithName("DeleteIndicator").WithSummary("Deletes an indicator.")
            .RequireAuthorization(Permissions.IndicatorWrite);

        indicators.MapPost("/import", Import)
            .WithName("ImportIndicators").WithSummary("Creates or updates up to 500 indicators; answers one result per item.")
            .ProducesDefenderError(MachineEndpoints.BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.MaximumBatchSizeExceeded)
            .ExcludeDefenderError(DefenderErrorCode.InvalidInput) // bad items are reported per item, not as the answer
            .RequireAuthorization(Permissions.IndicatorWrite);

        return api;
    }

    internal static DefenderODataResult<Indicator> List(ODataQueryOptions<Indicator> query, SampleDbContext db) =>
        query.ToDefenderResult(db.Indicators.AsNoTracking());

    internal static async Task<Results<Ok<Indicator>, DefenderErrorResult>> Submit(
        IndicatorRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (IndicatorRules.Check(body) is { } error)
        {
            return DefenderResults.Error(error);
        }

        var indicator = await SaveAsync(db, async () =>
        {
            var existing = await db.Indicators.FirstOrDefaultAsync(
                i => i.IndicatorType == body.IndicatorType && i.IndicatorValue == body.IndicatorValue, cancellationToken);
            return Upsert(db, existing, body, user, time);
        }, cancellationToken);
        return TypedResults.Ok(indicator);
    }

    internal static async Task<Results<NoContent, DefenderErrorResult>> Delete(string id, SampleDbContext db, CancellationToken cancellationToken)
    {
        var deleted = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            ? await db.Indicators.Where(i => i.Id == key).ExecuteDeleteAsync(cancellationToken)
            : 0;
        return deleted == 0 ? DefenderResults.Error(DefenderError.ResourceNotFound("Indicator", id)) : TypedResults.NoContent();
    }

    // More than 500 items never get here: [MaxBatchSize(500)] on the body answers MaximumBatchSizeExceeded.
    internal static async Task<Results<Ok<ODataCollection<ImportIndicatorResult>>, DefenderErrorResult>> Import(
        ImportIndicatorsRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body.Indicators is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Indicators"));
        }

        // Like Defender, one bad item does not fail the batch: each gets its own result, and the valid ones are saved.
        var saved = await SaveAsync(db, async () =>
        {
            var values = body.Indicators.Select(i => i?.IndicatorValue).OfType<string>().Distinct().ToList();
            var known = await db.Indicators.Where(i => values.Contains(i.IndicatorValue)).ToListAsync(cancellationToken);
            var outcomes = new List<(Indicator? Indicator, ImportIndicatorResult? Failure, string Value)>(body.Indicators.Count);
            foreach (var item in body.Indicators)
            {
                if (item is null)
                {
                    outcomes.Add((null, Failed("", DefenderError.InvalidRequestBody("Request body is incorrect: the item is null.")), ""));
                    continue;
                }

                if (IndicatorRules.Check(item) is { } error)
                {
                    outcomes.Add((null, Failed(item.IndicatorValue ?? "", error), item.IndicatorValue ?? ""));
                    continue;
                }

                var existing = known.FirstOrDefault(i => i.IndicatorType == item.IndicatorType && i.IndicatorValue == item.IndicatorValue);
                var indicator = Upsert(db, existing, item, user, time);
                if (existing is null)
                {
                    known.Add(indicator);
                }

                outcomes.Add((indicator, null, item.IndicatorValue!));
            }

            return outcomes;
        }, cancellationToken);

        var results = saved.Select(s => s.Failure ?? new ImportIndicatorResult
        {
            Id = s.Indicator!.Id.ToString(CultureInfo.InvariantCulture),
            Indicator = s.Value,
            IsFailed = false,
        }).ToList();
        return TypedResults.Ok(new ODataCollection<ImportIndicatorResult> { Value = results });
    }

    /// <summary>
    /// Runs <paramref name="change"/> and saves it. Indicators are unique by type and value: when a concurrent request
    /// inserted the same one first, the change is redone against what is now stored, so the loser updates instead of failing.
    /// </summary>
    private static async Task<T> SaveAsync<T>(SampleDbContext db, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await change();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return result;
            }
            catch (DbUpdateException exception) when (attempt < 3 && exception.InnerException is SqliteException { SqliteErrorCode: UniqueConstraintFailed })
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static ImportIndicatorResult Failed(string value, DefenderError error) => new()
    {
        Indicator = value,
        IsFailed = true,
        FailureReason = error.Message ?? error.Code,
    };

    private static Indicator Upsert(SampleDbContext db, Indicator? existing, IndicatorRequest request, ClaimsPrincipal user, TimeProvider time)
    {
        var indicator = existing ?? new Indicator
        {
            IndicatorValue = request.IndicatorValue!,
            IndicatorType = request.IndicatorType!,
            Action = request.Action!,
            Title = request.Title!,
            Description = request.Description!,
            Severity = "Informational",
            CreationTimeDateTimeUtc = time.GetUtcNow().UtcDateTime,
            CreatedBy = user.Identity?.Name ?? "unknown",
        };
        indicator.Action = request.Action!;
        indicator.Title = request.Title!;
        indicator.Description = request.Description!;
        indicator.Severity = request.Severity ?? indicator.Severity;
        if (existing is null)
        {
            db.Indicators.Add(indicator);
        }

        return indicator;
    }
}
