using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Defender.SampleApi.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Defender.SampleApi.Data;

/// <summary>
/// The sample's store: machines, their actions and the tenant's indicators, on SQLite or PostgreSQL. The model is the same on
/// both: lists of strings are the provider's primitive collections (JSON on SQLite, arrays on PostgreSQL), nested objects
/// that are only ever read whole are stored as JSON text.
/// </summary>
/// <remarks>
/// Tenancy is the database's, not each endpoint's: every row has a <see cref="TenantColumn"/> (a shadow property, never on the
/// wire or in OData), a global query filter lets a context see only its <see cref="SampleTenant"/>'s rows (reads, OData lists,
/// <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> alike), and a new row gets that tenant when it is saved. So a record of another
/// tenant answers exactly as a missing one on every route, and counts (the indicator cap) are per tenant.
/// </remarks>
internal sealed class SampleDbContext(DbContextOptions<SampleDbContext> options, SampleTenant tenant) : DbContext(options)
{
    /// <summary>The column that holds each row's tenant.</summary>
    public const string TenantColumn = "TenantId";

    /// <summary>The filtered unique index that lets one pending action of each type per machine in, whatever the concurrency.</summary>
    public const string OnePendingActionIndex = "IX_MachineActions_OnePendingPerType";

    public DbSet<Machine> Machines => Set<Machine>();

    public DbSet<MachineAction> MachineActions => Set<MachineAction>();

    public DbSet<Indicator> Indicators => Set<Indicator>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite keeps no DateTime kind (and PostgreSQL's timestamptz wants UTC): every time in this API is UTC, so it is
        // written as UTC and reads back as UTC, serialized with a 'Z'.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    /// <summary>The tenant whose rows this context sees; read by the query filters at each query.</summary>
    private string? Tenant => tenant.Id;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Gives a new row this context's tenant (seeding sets it explicitly); a row without one is never written.</summary>
    private void StampTenant()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Added && entry.Metadata.FindProperty(TenantColumn) is not null
                && entry.Property(TenantColumn).CurrentValue is null)
            {
                entry.Property(TenantColumn).CurrentValue = Tenant
                    ?? throw new InvalidOperationException($"A {entry.Metadata.ClrType.Name} was added without a tenant.");
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var machine = modelBuilder.Entity<Machine>();
        machine.Property<string>(TenantColumn);
        machine.HasIndex(TenantColumn);
        machine.HasQueryFilter(m => EF.Property<string>(m, TenantColumn) == Tenant);
        machine.HasIndex(m => m.ComputerDnsName);
        machine.Property(m => m.IpAddresses).HasJsonConversion(SampleJsonContext.Default.ListMachineIpAddress);

        var action = modelBuilder.Entity<MachineAction>();
        action.Property<string>(TenantColumn);
        action.HasIndex(TenantColumn);
        action.HasQueryFilter(a => EF.Property<string>(a, TenantColumn) == Tenant);
        action.HasIndex(a => new { a.MachineId, a.Type })
            .IsUnique()
            .HasFilter($"\"Status\" = '{MachineActionStatuses.Pending}'")
            .HasDatabaseName(OnePendingActionIndex);
        action.HasIndex(a => a.CreationDateTimeUtc);
        action.Property(a => a.Commands).HasJsonConversion(SampleJsonContext.Default.ListLiveResponseCommandResult);
        action.Property(a => a.RelatedFileInfo).HasJsonConversion(SampleJsonContext.Default.RelatedFileInfo);

        var indicator = modelBuilder.Entity<Indicator>();
        indicator.Property<string>(TenantColumn);
        indicator.HasQueryFilter(i => EF.Property<string>(i, TenantColumn) == Tenant);
        // Unique per tenant and creator: a Ti.ReadWrite caller that cannot see another's indicator gets its own, as if the
        // other did not exist, instead of overwriting it.
        indicator.HasIndex(TenantColumn, nameof(Indicator.IndicatorType), nameof(Indicator.IndicatorValue), nameof(Indicator.CreatedBy)).IsUnique();
        indicator.HasKey(i => i.Number);
        indicator.Property(i => i.Number).ValueGeneratedOnAdd();
        indicator.Property(i => i.Id).HasComputedColumnSql(Database.IsNpgsql() ? "\"Number\"::text" : "CAST(\"Number\" AS TEXT)", stored: true);
        indicator.HasIndex(i => i.Id).IsUnique();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

internal static class JsonColumnExtensions
{
    /// <summary>A JSON text column for a value that is read and written whole; compared by its JSON, so edits are seen.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> builder, JsonTypeInfo<T> typeInfo) =>
        builder.HasConversion(
            new ValueConverter<T, string>(
                v => JsonSerializer.Serialize<T>(v, typeInfo),
                v => JsonSerializer.Deserialize(v, typeInfo)!),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize<T>(a!, typeInfo) == JsonSerializer.Serialize<T>(b!, typeInfo),
                v => JsonSerializer.Serialize<T>(v, typeInfo).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize(JsonSerializer.Serialize<T>(v, typeInfo), typeInfo)!));
}
