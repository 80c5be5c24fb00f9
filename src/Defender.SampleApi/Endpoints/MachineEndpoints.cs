using Defender.ErrorMiddleware;
using Defender.ErrorMiddleware.OData;
using Defender.SampleApi.Auth;
using Defender.SampleApi.Data;
using Defender.SampleApi.Http;
using Defender.SampleApi.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// Defender's machine routes: the list (OData), one machine by id or computer name, and machines by tag. The response actions
/// on a machine are in <see cref="MachineActionEndpoints"/>.
/// </summary>
internal static class MachineEndpoints
{
    /// <summary>What any route that reads a JSON body can answer.</summary>
    internal static readonly DefenderErrorCode[] BodyErrors = [DefenderErrorCode.InvalidRequestBody, DefenderErrorCode.MissingRequiredParameter];

    public static RouteGroupBuilder MapMachineEndpoints(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/machines").WithTags("Machines");

        machines.MapGet("/", ListMachines)
            .WithName("ListMachines").WithSummary("Lists machines; supports $filter, $orderby, $top, $skip, $select and $count.")
            .Produces<ODataCollection<Machine>>(StatusCodes.Status200OK, "application/json")
            .ProducesDefenderError(DefenderErrorCode.ODataError)
            .RequireAnyPermission(Permissions.ReadMachines);

        machines.MapGet("/findbytag", FindByTag)
            .WithName("FindMachinesByTag").WithSummary("Finds the machines that have a tag (or, with useStartsWithFilter=true, a tag that starts with it).")
            .ProducesDefenderError(DefenderErrorCode.MissingRequiredParameter, DefenderErrorCode.InvalidInput)
            .RequireAnyPermission(Permissions.ReadMachines);

        machines.MapGet("/{id}", GetMachine)
            .WithName("GetMachine").WithSummary("Gets a machine by its id or its computer name.")
            .RequireAnyPermission(Permissions.ReadMachines);

        return api;
    }

    // Microsoft.AspNetCore.OData parses and applies the query in the database; a bad $filter, $orderby, $top… is 400 ODataError
    // with the library's reason, and a result longer than a page ends with @odata.nextLink.
    internal static DefenderODataResult<Machine> ListMachines(ODataQueryOptions<Machine> query, SampleDbContext db, HttpRequest request) =>
        query.ToDefenderResult(db.Machines.AsNoTracking(), ODataEntityWriter.Context(request, "Machines"));

    internal static async Task<Results<ODataOk<Machine>, DefenderErrorResult>> GetMachine(string id, SampleDbContext db, CancellationToken cancellationToken)
    {
        var machine = await FindAsync(db, id, cancellationToken);
        return machine is null ? MachineNotFound(id) : new ODataOk<Machine>(machine, "Machines/$entity");
    }

    internal static async Task<Results<ODataOk<ODataCollection<Machine>>, DefenderErrorResult>> FindByTag(
        string? tag, string? useStartsWithFilter, SampleDbContext db, IOptionsSnapshot<SampleApiOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(tag))
        {
            return DefenderResults.Error(DefenderError.MissingRequiredParameter("tag"));
        }

        if (FieldLimits.Check("tag", tag, FieldLimits.RbacGroupName) is { } tooLong)
        {
            return DefenderResults.Error(tooLong);
        }

        bool startsWith = false;
        if (useStartsWithFilter is not null && !bool.TryParse(useStartsWithFilter, out startsWith))
        {
            return DefenderResults.Error(DefenderError.InvalidInput(useStartsWithFilter));
        }

        var machines = db.Machines.AsNoTracking();
#pragma warning disable CA1310 // EF Core translates StartsWith to SQL (a prefix match); no .NET culture rule runs
        machines = startsWith
            ? machines.Where(m => m.MachineTags.Any(t => t.StartsWith(tag)))
            : machines.Where(m => m.MachineTags.Contains(tag));
#pragma warning restore CA1310
        var page = await machines.OrderBy(m => m.Id).Take(options.Value.Paging.PageSize).ToListAsync(cancellationToken);
        return new ODataOk<ODataCollection<Machine>>(new ODataCollection<Machine> { Value = page }, "Machines");
    }

    /// <summary>The machine with this device id, or (as Defender also accepts) this computer name, full or its first label.</summary>
    internal static Task<Machine?> FindAsync(SampleDbContext db, string idOrName, CancellationToken cancellationToken)
    {
        var name = idOrName.ToLowerInvariant();
        var prefix = name + ".";
#pragma warning disable CA1304, CA1310, CA1311, CA1862 // EF Core translates ToLower and StartsWith to SQL; no .NET culture rule runs
        return db.Machines.AsNoTracking()
            .Where(m => m.Id == idOrName || m.ComputerDnsName.ToLower() == name || m.ComputerDnsName.ToLower().StartsWith(prefix))
#pragma warning restore CA1304, CA1310, CA1311, CA1862
            .OrderBy(m => m.Id != idOrName)
            .ThenBy(m => m.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    internal static DefenderErrorResult MachineNotFound(string id) => DefenderResults.Error(DefenderError.ResourceNotFound("Machine", id));
}
