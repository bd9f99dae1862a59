// franz-go (kadm) cluster-level admin checks: ACLs, log dirs, producers,
// SCRAM credentials, client quotas, reassignments and leader election.

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func (a *franzAdmin) clusterChecks() {
	s, adm, tA, broker := a.s, a.adm, a.tA, a.broker
	const short = franzAdminLimit

	s.check("admin.ACLs", short, func(ctx context.Context) error {
		return franzACLs(ctx, adm, s.name("acl-topic"), "User:compat-"+s.runID, s.logf)
	})

	s.check("admin.DescribeAllLogDirs", short, func(ctx context.Context) error {
		ds, err := adm.DescribeAllLogDirs(ctx, nil)
		if err != nil {
			return err
		}
		dirs, ok := ds[broker]
		if !ok || len(dirs) == 0 {
			return fmt.Errorf("no log dirs for broker %d: %v", broker, ds)
		}
		var found bool
		var size int64
		for _, d := range dirs {
			if d.Err != nil {
				return fmt.Errorf("dir %s: %w", d.Dir, d.Err)
			}
			if p, ok := dirs.Lookup(d.Dir, tA, 0); ok {
				found, size = true, p.Size
			}
		}
		if !found {
			return fmt.Errorf("%s/0 in no log dir", tA)
		}
		if size <= 0 {
			return fmt.Errorf("%s/0 size %d, want > 0", tA, size)
		}
		return nil
	})

	s.check("admin.DescribeProducers", short, func(ctx context.Context) error {
		var ts kadm.TopicsSet
		ts.Add(tA, 0, 1)
		ds, err := adm.DescribeProducers(ctx, ts)
		if err != nil {
			return err
		}
		var perr error
		var prods []kadm.DescribedProducer
		ds.EachPartition(func(p kadm.DescribedProducersPartition) {
			if p.Err != nil && perr == nil {
				perr = kadmErr(p.Err, p.ErrMessage)
			}
			if p.Partition == 0 {
				prods = append(prods, p.ActiveProducers.Sorted()...)
			}
		})
		if perr != nil {
			return perr
		}
		if len(prods) != 1 {
			return fmt.Errorf("%d producers on p0, want 1 (the idempotent one)", len(prods))
		}
		p := prods[0]
		if p.ProducerID < 0 || p.LastSequence != p0Records-1 || p.Leader != broker {
			return fmt.Errorf("producer id %d epoch %d last seq %d leader %d", p.ProducerID, p.ProducerEpoch, p.LastSequence, p.Leader)
		}
		return nil
	})

	s.check("admin.UserSCRAMs", short, func(ctx context.Context) error {
		user := "compat-" + s.runID
		as, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: user, Mechanism: kadm.ScramSha256, Iterations: 8192, Password: "s3cret"}})
		if err != nil {
			return err
		}
		if err := kadmErr(as[user].Err, as[user].ErrMessage); err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		// Kafka applies credential changes through its metadata log: poll.
		if err := waitUntil(ctx, 50*time.Millisecond, func() error {
			ds, err := adm.DescribeUserSCRAMs(ctx, user)
			if err != nil {
				return err
			}
			d := ds[user]
			if err := kadmErr(d.Err, d.ErrMessage); err != nil {
				return fmt.Errorf("describe: %w", err)
			}
			if len(d.CredInfos) != 1 || d.CredInfos[0].Mechanism != kadm.ScramSha256 || d.CredInfos[0].Iterations != 8192 {
				return fmt.Errorf("described %v", d.CredInfos)
			}
			return nil
		}); err != nil {
			return err
		}
		as, err = adm.AlterUserSCRAMs(ctx, []kadm.DeleteSCRAM{{User: user, Mechanism: kadm.ScramSha256}}, nil)
		if err != nil {
			return err
		}
		if err := kadmErr(as[user].Err, as[user].ErrMessage); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return waitUntil(ctx, 50*time.Millisecond, func() error {
			ds, err := adm.DescribeUserSCRAMs(ctx, user)
			if err == nil {
				err = ds[user].Err
			}
			if !errors.Is(err, kerr.ResourceNotFound) {
				return fmt.Errorf("describe deleted user: err %v, want RESOURCE_NOT_FOUND", err)
			}
			return nil
		})
	})

	s.check("admin.ClientQuotas", short, func(ctx context.Context) error {
		cid := "compat-" + s.runID
		entity := kadm.ClientQuotaEntity{{Type: "client-id", Name: &cid}}
		describe := func() (kadm.DescribedClientQuotas, error) {
			return adm.DescribeClientQuotas(ctx, true, []kadm.DescribeClientQuotaComponent{{Type: "client-id", MatchName: &cid, MatchType: 0}})
		}
		as, err := adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: entity, Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: 1048576}}}})
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := kadmErr(a.Err, a.ErrMessage); err != nil {
				return fmt.Errorf("set: %w", err)
			}
		}
		// Kafka applies quota changes through its metadata log: poll.
		if err := waitUntil(ctx, 50*time.Millisecond, func() error {
			ds, err := describe()
			if err != nil {
				return err
			}
			if len(ds) != 1 || len(ds[0].Values) != 1 || ds[0].Values[0].Key != "producer_byte_rate" || ds[0].Values[0].Value != 1048576 {
				return fmt.Errorf("described %+v", ds)
			}
			return nil
		}); err != nil {
			return err
		}
		as, err = adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: entity, Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Remove: true}}}})
		if err != nil {
			return err
		}
		for _, a := range as {
			if err := kadmErr(a.Err, a.ErrMessage); err != nil {
				return fmt.Errorf("remove: %w", err)
			}
		}
		return waitUntil(ctx, 50*time.Millisecond, func() error {
			ds, err := describe()
			if err != nil {
				return err
			}
			if len(ds) != 0 {
				return fmt.Errorf("after removal described %+v", ds)
			}
			return nil
		})
	})

	s.check("admin.ListPartitionReassignments", short, func(ctx context.Context) error {
		var ts kadm.TopicsSet
		ts.Add(tA, 0, 1, 2)
		rs, err := adm.ListPartitionReassignments(ctx, ts)
		if err != nil {
			return err
		}
		if len(rs.Sorted()) != 0 {
			return fmt.Errorf("reassignments in progress: %+v", rs.Sorted())
		}
		return nil
	})

	s.check("admin.ElectLeaders", short, func(ctx context.Context) error {
		var ts kadm.TopicsSet
		ts.Add(tA, 0, 1, 2)
		rs, err := adm.ElectLeaders(ctx, kadm.ElectPreferredReplica, ts)
		if err != nil {
			return err
		}
		n := 0
		for _, ps := range rs {
			for _, r := range ps {
				n++
				if r.Err != nil && !errors.Is(r.Err, kerr.ElectionNotNeeded) {
					return fmt.Errorf("%s/%d: %w", r.Topic, r.Partition, kadmErr(r.Err, r.ErrMessage))
				}
			}
		}
		if n != numPartitions {
			return fmt.Errorf("%d results, want %d", n, numPartitions)
		}
		return nil
	})
}

// franzACLs creates, describes and deletes one ACL. A broker without an
// authorizer (Kafka's default: no authorizer.class.name) answers every ACL
// request with SECURITY_DISABLED; that is accepted when all three agree.
func franzACLs(ctx context.Context, adm *kadm.Client, topic, principal string, logf func(string, ...any)) error {
	b := func() *kadm.ACLBuilder {
		return kadm.NewACLs().Allow(principal).AllowHosts("*").Topics(topic).
			Operations(kadm.OpRead).ResourcePatternType(kadm.ACLPatternLiteral)
	}
	firstErr := func(errs ...error) error {
		for _, e := range errs {
			if e != nil {
				return e
			}
		}
		return nil
	}
	cr, err := adm.CreateACLs(ctx, b())
	if err == nil && len(cr) > 0 {
		err = kadmErr(cr[0].Err, cr[0].ErrMessage)
	}
	if errors.Is(err, kerr.SecurityDisabled) {
		dr, derr := adm.DescribeACLs(ctx, b())
		if derr == nil && len(dr) > 0 {
			derr = dr[0].Err
		}
		xr, xerr := adm.DeleteACLs(ctx, b())
		if xerr == nil && len(xr) > 0 {
			xerr = xr[0].Err
		}
		if !errors.Is(derr, kerr.SecurityDisabled) || !errors.Is(xerr, kerr.SecurityDisabled) {
			return fmt.Errorf("create said SECURITY_DISABLED but describe %v, delete %v", derr, xerr)
		}
		logf("ACLs: broker has no authorizer (SECURITY_DISABLED on create, describe, delete)")
		return nil
	}
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if len(cr) != 1 {
		return fmt.Errorf("create: %d results", len(cr))
	}
	// Kafka applies ACL changes through its metadata log: poll.
	if err := waitUntil(ctx, 50*time.Millisecond, func() error {
		dr, err := adm.DescribeACLs(ctx, b())
		if err != nil {
			return fmt.Errorf("describe: %w", err)
		}
		if len(dr) != 1 || firstErr(dr[0].Err) != nil {
			return fmt.Errorf("describe: %+v", dr)
		}
		if d := dr[0].Described; len(d) != 1 || d[0].Principal != principal || d[0].Name != topic || d[0].Operation != kadm.OpRead || d[0].Host != "*" {
			return fmt.Errorf("describe returned %+v", d)
		}
		return nil
	}); err != nil {
		return err
	}
	xr, err := adm.DeleteACLs(ctx, b())
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if len(xr) != 1 || xr[0].Err != nil || len(xr[0].Deleted) != 1 {
		return fmt.Errorf("delete: %+v", xr)
	}
	if err := waitUntil(ctx, 50*time.Millisecond, func() error {
		dr, err := adm.DescribeACLs(ctx, b())
		if err != nil {
			return fmt.Errorf("describe after delete: %w", err)
		}
		if len(dr) != 1 || len(dr[0].Described) != 0 {
			return fmt.Errorf("describe after delete: %+v", dr)
		}
		return nil
	}); err != nil {
		return err
	}
	logf("ACLs: authorizer on; create, describe, delete round trip checked")
	return nil
}
