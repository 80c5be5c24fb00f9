using System.Globalization;
using System.Security.Claims;
using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Auth;
using Defender.SampleApi.Data;
using Defender.SampleApi.Http;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Defender's custom indicator routes: list, submit (create or update), delete and batch import. As Defender documents it, a token
/// with Ti.ReadWrite (and not Ti.ReadWrite.All or Ti.Read.All) sees and deletes only the indicators it created.
/// </summary>
internal static class IndicatorEndpoints
{
    private static readonly DefenderErrorCode[] ValueErrors =
    [
        DefenderErrorCode.InvalidInput, DefenderErrorCode.InvalidHashValue, DefenderErrorCode.InvalidIpAddress,
        DefenderErrorCode.InvalidDomainName, DefenderErrorCode.InvalidUrl,
    ];

    public static RouteGroupBuilder MapIndicatorEndpoints(this RouteGroupBuilder api)
    {
        var indicators = api.MapGroup("/indicators").WithTags("Indicators");

        indicators.MapGet("/", List)
            .Produces<ODataCollection<Indicator>>(StatusCodes.Status200OK, "application/json")
            .ProducesDefenderError(DefenderErrorCode.ODataError)
            .WithName("ListIndicators").WithSummary("Lists the tenant's active indicators; supports $filter, $orderby, $top, $skip, $select and $count.")
            .RequireAnyPermission(Permissions.ReadIndicators);

        indicators.MapPost("/", Submit)
            .WithName("SubmitIndicator").WithSummary("Creates an indicator, or updates the one with the same type and value.")
            .ProducesDefenderError(MachineEndpoints.BodyErrors)
            .ProducesDefenderError(ValueErrors)
            .ProducesDefenderError(DefenderErrorCode.DisallowedOperation)
            .RequireAnyPermission(Permissions.WriteIndicators);

        indicators.MapDelete("/{id}", Delete)
            .WithName("DeleteIndicator").WithSummary("Deletes an indicator.")
            .RequireAnyPermission(Permissions.WriteIndicators);

        indicators.MapPost("/import", Import)
            .WithName("ImportIndicators").WithSummary("Creates or updates up to 500 indicators; answers one result per item.")
            .ProducesDefenderError(MachineEndpoints.BodyErrors)
            .ProducesDefenderError(DefenderErrorCode.MaximumBatchSizeExceeded)
            .ExcludeDefenderError(DefenderErrorCode.InvalidInput) // bad items are reported per item, not as the answer
            .RequireAnyPermission(Permissions.WriteIndicators);

        return api;
    }

    // Microsoft.AspNetCore.OData applies the query in the database (a bad one is 400 ODataError); a page holds at most
    // SampleApi:Paging:PageSize indicators and ends with @odata.nextLink when there are more.
    internal static DefenderODataResult<Indicator> List(ODataQueryOptions<Indicator> query, SampleDbContext db, ClaimsPrincipal user, TimeProvider time,
        HttpRequest request) =>
        query.ToDefenderResult(Visible(db.Indicators.AsNoTracking(), user, time.GetUtcNow().UtcDateTime), ODataEntityWriter.Context(request, "Indicators"));

    internal static async Task<Results<ODataOk<Indicator>, DefenderErrorResult>> Submit(
        IndicatorRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (IndicatorRules.Check(body) is { } error)
        {
            return DefenderResults.Error(error);
        }

        var (indicator, refused) = await SaveAsync(db, async () =>
        {
            var existing = await Updatable(db, user).FirstOrDefaultAsync(
                i => i.IndicatorType == body.IndicatorType && i.IndicatorValue == body.IndicatorValue, cancellationToken);
            if (existing is null && await ActiveCountAsync(db, time, cancellationToken) >= FieldLimits.ActiveIndicators)
            {
                return (null, IndicatorCapReached());
            }

            return (Upsert(db, existing, body, user, time), (DefenderError?)null);
        }, cancellationToken);
        return refused is { } cap ? DefenderResults.Error(cap) : new ODataOk<Indicator>(indicator!, "Indicators/$entity");
    }

    internal static async Task<Results<NoContent, DefenderErrorResult>> Delete(string id, SampleDbContext db, ClaimsPrincipal user, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var deleted = await Visible(db.Indicators, user, DateTime.MaxValue).Where(i => i.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? DefenderResults.Error(DefenderError.ResourceNotFound("Indicator", id)) : TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<ODataCollection<ImportIndicatorResult>>, DefenderErrorResult>> Import(
        ImportIndicatorsRequest body, SampleDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body.Indicators is null)
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("Indicators"));
        }

        // Like Defender, one bad item does not fail the batch: each gets its own result, and the valid ones are saved.
        var (saved, _) = await SaveAsync(db, async () =>
        {
            var values = body.Indicators.Select(i => i?.IndicatorValue).OfType<string>().Where(v => v.Length <= FieldLimits.IndicatorValue).Distinct().ToList();
            var known = await Updatable(db, user).Where(i => values.Contains(i.IndicatorValue)).ToListAsync(cancellationToken);
            var room = FieldLimits.ActiveIndicators - await ActiveCountAsync(db, time, cancellationToken);
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
                    outcomes.Add((null, Failed(Echo(item.IndicatorValue), error), Echo(item.IndicatorValue)));
                    continue;
                }

                var existing = known.FirstOrDefault(i => i.IndicatorType == item.IndicatorType && i.IndicatorValue == item.IndicatorValue);
                if (existing is null && room-- <= 0)
                {
                    outcomes.Add((null, Failed(item.IndicatorValue!, IndicatorCapReached()), item.IndicatorValue!));
                    continue;
                }

                var indicator = Upsert(db, existing, item, user, time);
                if (existing is null)
                {
                    known.Add(indicator);
                }

                outcomes.Add((indicator, null, item.IndicatorValue!));
            }

            return (outcomes, (DefenderError?)null);
        }, cancellationToken);

        var results = saved!.Select(s => s.Failure ?? new ImportIndicatorResult
        {
            Id = s.Indicator!.Id,
            Indicator = s.Value,
            IsFailed = false,
        }).ToList();
        return TypedResults.Ok(new ODataCollection<ImportIndicatorResult> { Value = results });
    }

    /// <summary>
    /// The indicators a caller may see: the active ones (unexpired at <paramref name="now"/>); with Ti.ReadWrite alone, only those
    /// it created.
    /// </summary>
    private static IQueryable<Indicator> Visible(IQueryable<Indicator> indicators, ClaimsPrincipal user, DateTime now)
    {
        var active = now == DateTime.MaxValue ? indicators : indicators.Where(i => i.ExpirationTime == null || i.ExpirationTime > now);
        if (user.HasClaim(BearerTokenHandler.PermissionClaim, Permissions.IndicatorReadWriteAll)
            || user.HasClaim(BearerTokenHandler.PermissionClaim, Permissions.IndicatorReadAll))
        {
            return active;
        }

        var name = user.Identity?.Name ?? "";
        return active.Where(i => i.CreatedBy == name);
    }

    /// <summary>
    /// The indicators a submission may update, the caller's own first, then the oldest: only visible ones (its tenant's; with
    /// Ti.ReadWrite alone, its own), so a hidden indicator is neither overwritten nor returned — the caller gets a new one of its own.
    /// </summary>
    private static IQueryable<Indicator> Updatable(SampleDbContext db, ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "";
        return Visible(db.Indicators, user, DateTime.MaxValue).OrderBy(i => i.CreatedBy != name).ThenBy(i => i.Number);
    }

    // Counted in the caller's tenant only (the context's tenant filter): Defender's cap is per tenant.
    private static Task<int> ActiveCountAsync(SampleDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.Indicators.CountAsync(i => i.ExpirationTime == null || i.ExpirationTime > now, cancellationToken);
    }

    private static DefenderError IndicatorCapReached() => DefenderError.DisallowedOperation(string.Create(CultureInfo.InvariantCulture,
        $"Creating the indicator would exceed the limit of {FieldLimits.ActiveIndicators} active indicators per tenant."));

    // An item's value as its result line names it: cut, so a rejected 3 MB value is not sent back whole.
    private static string Echo(string? value) => value is null ? "" : value.Length <= 128 ? value : value[..128];

    /// <summary>
    /// Runs <paramref name="change"/> and saves it. Indicators are unique by tenant, type, value and creator: when a concurrent
    /// request inserted the same one first, the change is redone against what is now stored. (Numbers come from the database.)
    /// </summary>
    private static async Task<(T? Result, DefenderError? Refused)> SaveAsync<T>(SampleDbContext db, Func<Task<(T? Result, DefenderError? Refused)>> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await change();
            if (result.Refused is not null)
            {
                db.ChangeTracker.Clear();
                return result;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return result;
            }
            catch (DbUpdateException exception) when (attempt < 10 && SampleDatabase.IsUniqueViolation(exception))
            {
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
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
        var now = time.GetUtcNow().UtcDateTime;
        var caller = user.Identity?.Name ?? "unknown";
        var indicator = existing ?? new Indicator
        {
            IndicatorValue = request.IndicatorValue!,
            IndicatorType = request.IndicatorType!,
            Application = request.Application,
            Source = caller,
            SourceType = "AadApp",
            CreatedBySource = caller,
            Severity = "Informational",
            CreationTimeDateTimeUtc = now,
            CreatedBy = caller,
        };
        indicator.Action = request.Action!;
        indicator.Title = request.Title!;
        indicator.Description = request.Description!;
        indicator.Severity = request.Severity ?? indicator.Severity;
        indicator.RecommendedActions = request.RecommendedActions ?? indicator.RecommendedActions;
        indicator.ExpirationTime = request.ExpirationTime?.UtcDateTime ?? indicator.ExpirationTime;
        indicator.RbacGroupNames = request.RbacGroupNames?.OfType<string>().ToList() ?? indicator.RbacGroupNames;
        indicator.GenerateAlert = request.GenerateAlert ?? (existing?.GenerateAlert ?? request.Action is "Alert" or "AlertAndBlock");
        indicator.LastUpdateTime = now;
        indicator.LastUpdatedBy = caller;
        if (existing is null)
        {
            db.Indicators.Add(indicator);
        }

        return indicator;
    }
}
